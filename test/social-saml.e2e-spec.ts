import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { formPostFields } from './support/idp/http.js';
import { ResponseOptions, SamlPerson, selfSignedCertificate, startSamlIdp } from './support/idp/saml-idp.js';
import { browser, Browser, codeOf, exchange, PUBLIC_URL } from './support/social.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';

const SP_ENTITY_ID = 'https://auth.test.local/saml/sp';
const ACS = `${PUBLIC_URL}/auth/saml-redirect`;

/**
 * SP-initiated SAML against a local IdP that signs real assertions (node-saml's signing helper,
 * an openssl self-signed certificate): the round trip, and every refusal of API.md section 5.
 */
describe('SAML login', () => {
  let idp: Awaited<ReturnType<typeof startSamlIdp>>;
  let t: TestApp;
  let seed: Seed;
  /** The browser the logins run in (it keeps the login cookies). */
  let web: Browser;

  beforeAll(async () => {
    idp = await startSamlIdp(SP_ENTITY_ID);
    t = await createTestApp({ PUBLIC_URL, ...idp.env });
    web = browser(t);
    seed = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const person = (overrides: Partial<SamlPerson> = {}): SamlPerson => ({
    nameId: unique('employee'),
    email: `${unique('saml')}@corp.example.com`,
    firstName: 'Katherine',
    lastName: 'Johnson',
    ...overrides,
  });

  /** Start route -> the IdP's SSO page: the form a browser would post to the ACS. */
  async function samlForm(who: SamlPerson, options: ResponseOptions = {}, s: Seed = seed) {
    const start = await web.post('/auth/saml').type('form').send({
      client_id: s.client.clientId,
      client_secret: s.clientSecret!,
    });
    expect(start.status, JSON.stringify(start.body)).toBe(302);
    const sso = new URL(start.headers.location as string);
    expect(sso.searchParams.get('RelayState')).toBeTruthy();
    idp.loginAs(who);
    idp.nextResponse(options);
    const page = await fetch(sso);
    const form = formPostFields(await page.text());
    expect(form.action).toBe(ACS);
    return form.fields as { SAMLResponse: string; RelayState: string };
  }

  const acs = (fields: Record<string, string>, query = '') =>
    web.post(`/auth/saml-redirect${query}`).type('form').send(fields);

  it('serves SP metadata with our entity id and ACS, asking for signed assertions', async () => {
    const res = await t.http.get('/auth/saml/metadata');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/samlmetadata+xml');
    expect(res.text).toContain(`entityID="${SP_ENTITY_ID}"`);
    expect(res.text).toContain(`Location="${ACS}"`);
    expect(res.text).toContain('WantAssertionsSigned="true"');
  });

  it('first login creates the user, second finds them; the code is exchanged at /auth/token', async () => {
    const who = person();
    const first = await samlForm(who);
    const request = idp.requests.at(-1)!;
    expect(request.issuer).toBe(SP_ENTITY_ID);
    expect(request.acsUrl).toBe(ACS);
    const tokens = expectTokenResponse(await exchange(t, codeOf(await acs(first)), seed.client.clientId));
    const userId = decodeClaims(tokens.accessToken).sub;
    const [user] = await sql<{
      email: string;
      email_verified: boolean;
      first_name: string;
      last_name: string;
    }>(t, 'SELECT email, email_verified, first_name, last_name FROM app_user WHERE id = $1', [userId]);
    expect(user).toEqual({
      email: who.email,
      email_verified: true,
      first_name: 'Katherine',
      last_name: 'Johnson',
    });
    const [activity] = await sql<{ auth_method: string }>(
      t,
      'SELECT auth_method FROM login_activity WHERE actor = $1',
      [userId],
    );
    expect(activity?.auth_method).toBe('SAML');
    const second = await samlForm(who);
    const again = expectTokenResponse(await exchange(t, codeOf(await acs(second)), seed.client.clientId));
    expect(decodeClaims(again.accessToken).sub).toBe(userId);
  });

  it("links the IdP's email to the existing user", async () => {
    const fields = await samlForm(person({ email: seed.email }));
    const tokens = expectTokenResponse(await exchange(t, codeOf(await acs(fields)), seed.client.clientId));
    expect(decodeClaims(tokens.accessToken).sub).toBe(seed.user.id);
  });

  it("never links the IdP's email to a user whose email is unproven: 409 ACCOUNT_EXISTS, nothing linked", async () => {
    const { user } = await seed.provisioning.users.createUser({
      email: `${unique('unproven')}@corp.example.com`,
      password: seed.password,
      tenantId: (await seedTenant(t)).tenant.id,
      emailVerified: false,
    });
    const who = person({ email: user.email! });
    expectError(await acs(await samlForm(who)), 409, 'ACCOUNT_EXISTS');
    const linked = await sql(
      t,
      "SELECT 1 FROM user_credential WHERE provider = 'saml' AND external_id = $1",
      [who.nameId],
    );
    expect(linked).toHaveLength(0);
    const joined = await sql(t, 'SELECT 1 FROM membership WHERE user_id = $1 AND tenant_id = $2', [
      user.id,
      seed.tenant.id,
    ]);
    expect(joined).toHaveLength(0);
  });

  it('accepts a signed Response around the signed assertion', async () => {
    codeOf(await acs(await samlForm(person(), { sign: 'both' })));
  });

  it('checks the client query against the client bound in RelayState', async () => {
    codeOf(await acs(await samlForm(person()), `?client=${encodeURIComponent(seed.client.clientId)}`));
    expectError(await acs(await samlForm(person()), '?client=someone-else'), 401, 'INVALID_STATE');
  });

  describe('the login cookie (API.md section 12)', () => {
    it("an ACS post without the browser's login cookie is 401 INVALID_STATE and spends nothing", async () => {
      const who = person();
      const fields = await samlForm(who);
      // The same form posted from another browser: no cookie, or that browser's own cookie.
      const other = browser(t);
      expectError(await other.post('/auth/saml-redirect').type('form').send(fields), 401, 'INVALID_STATE');
      await other
        .post('/auth/saml')
        .type('form')
        .send({ client_id: seed.client.clientId, client_secret: seed.clientSecret! });
      expectError(await other.post('/auth/saml-redirect').type('form').send(fields), 401, 'INVALID_STATE');
      const linked = await sql(
        t,
        "SELECT 1 FROM user_credential WHERE provider = 'saml' AND external_id = $1",
        [who.nameId],
      );
      expect(linked).toHaveLength(0);
      // Neither the state, the AuthnRequest nor the assertion was spent: the real browser finishes.
      codeOf(await acs(fields));
    });

    it('on an https PUBLIC_URL the cookie is SameSite=None; Secure (the ACS is a cross-site POST)', async () => {
      const https = await createTestApp({ ...idp.env, PUBLIC_URL: 'https://auth.example.com' });
      try {
        const s = await seedTenant(https);
        const start = await https.http
          .post('/auth/saml')
          .send({ client_id: s.client.clientId, client_secret: s.clientSecret });
        expect(start.status).toBe(302);
        const line = (start.headers['set-cookie'] as unknown as string[])[0]!;
        expect(line).toMatch(/^__Host-auth-login-saml=[\w-]{43}; /);
        expect(line.split('; ').slice(1)).toEqual(
          expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=None']),
        );
      } finally {
        await https.close();
      }
    });

    it('on an http PUBLIC_URL it falls back to SameSite=Lax (None needs Secure)', async () => {
      const start = await browser(t)
        .post('/auth/saml')
        .send({ client_id: seed.client.clientId, client_secret: seed.clientSecret });
      const line = (start.headers['set-cookie'] as unknown as string[])[0]!;
      expect(line).toMatch(/^auth-login-saml=/);
      expect(line).toContain('SameSite=Lax');
      expect(line).not.toContain('Secure');
    });
  });

  describe('refusals', () => {
    async function refused(fields: Record<string, string>, code = 'PROVIDER_ERROR', who?: SamlPerson) {
      expectError(await acs(fields), 401, code);
      if (who) {
        const linked = await sql(
          t,
          "SELECT 1 FROM user_credential WHERE provider = 'saml' AND external_id = $1",
          [who.nameId],
        );
        expect(linked).toHaveLength(0);
      }
    }

    it('an unsigned response', async () => {
      const who = person();
      await refused(await samlForm(who, { sign: 'none' }), 'PROVIDER_ERROR', who);
    });

    it('a response whose only signature is on the Response, not the assertion', async () => {
      const who = person();
      await refused(await samlForm(who, { sign: 'response' }), 'PROVIDER_ERROR', who);
    });

    it('a tampered response (the NameID changed after signing)', async () => {
      const who = person();
      const fields = await samlForm(who);
      const xml = Buffer.from(fields.SAMLResponse, 'base64').toString('utf8');
      const forged = xml.replace(who.nameId, seed.user.id);
      expect(forged).not.toBe(xml);
      await refused(
        { ...fields, SAMLResponse: Buffer.from(forged).toString('base64') },
        'PROVIDER_ERROR',
        who,
      );
    });

    it('an assertion signed by another certificate', async () => {
      const who = person();
      await refused(
        await samlForm(who, { signer: selfSignedCertificate('evil-idp') }),
        'PROVIDER_ERROR',
        who,
      );
    });

    it('another audience, another recipient, an expired assertion', async () => {
      const a = person();
      await refused(await samlForm(a, { audience: 'https://other-sp.example.com' }), 'PROVIDER_ERROR', a);
      const b = person();
      await refused(
        await samlForm(b, { recipient: 'https://other-sp.example.com/acs' }),
        'PROVIDER_ERROR',
        b,
      );
      const c = person();
      await refused(await samlForm(c, { validForSeconds: -120 }), 'PROVIDER_ERROR', c);
    });

    it('a replayed response is refused (its state and request were spent)', async () => {
      const fields = await samlForm(person());
      codeOf(await acs(fields));
      await refused(fields, 'INVALID_STATE');
    });

    it('an assertion ID seen before is refused even in a new, correctly signed response', async () => {
      const first = await samlForm(person(), { assertionId: '_reused-assertion-1' });
      codeOf(await acs(first));
      const who = person();
      await refused(await samlForm(who, { assertionId: '_reused-assertion-1' }), 'PROVIDER_ERROR', who);
    });

    it('a response to another AuthnRequest (or to one never sent)', async () => {
      const a = await samlForm(person());
      const requestA = idp.requests.at(-1)!;
      const b = await samlForm(person());
      const who = person();
      // A correctly signed answer to request A, posted with login B's RelayState.
      const crossed = idp.buildResponse(requestA, who);
      await refused({ SAMLResponse: crossed, RelayState: b.RelayState }, 'PROVIDER_ERROR', who);
      const never = idp.buildResponse({ ...requestA, id: '_never-sent' }, who, {
        inResponseTo: '_never-sent',
      });
      await refused({ SAMLResponse: never, RelayState: a.RelayState }, 'PROVIDER_ERROR', who);
    });

    it('a missing or unknown RelayState is 401 INVALID_STATE; junk is 401, never 5xx', async () => {
      const fields = await samlForm(person());
      await refused({ SAMLResponse: fields.SAMLResponse }, 'INVALID_STATE');
      await refused({ SAMLResponse: fields.SAMLResponse, RelayState: 'unknown' }, 'INVALID_STATE');
      const other = await samlForm(person());
      await refused({ RelayState: other.RelayState }, 'PROVIDER_ERROR');
      const junk = await samlForm(person());
      await refused({ SAMLResponse: '%%%not-base64<xml', RelayState: junk.RelayState }, 'PROVIDER_ERROR');
      expectError(
        await t.http.post('/auth/saml-redirect').set('content-type', 'text/xml').send('<x/>'),
        400,
        'BAD_REQUEST',
      );
    });
  });

  it('the AuthnRequest IDs live in Postgres, not in the process', async () => {
    await samlForm(person());
    const request = idp.requests.at(-1)!;
    const rows = await sql(
      t,
      "SELECT 1 FROM one_time_token WHERE purpose = 'saml-request' AND used_at IS NULL",
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(request.id).toMatch(/^_[0-9a-f]{40}$/);
  });

  it('malformed start bodies are 4xx', async () => {
    expectError(await t.http.post('/auth/saml').send({}), 422, 'VALIDATION_FAILED');
    expectError(await t.http.post('/auth/saml').send({ client_id: 'nope' }), 401, 'INVALID_CLIENT');
    expectError(
      await t.http.post('/auth/saml').send({ client_id: seed.client.clientId, foo: 1 }),
      422,
      'VALIDATION_FAILED',
    );
  });
});
