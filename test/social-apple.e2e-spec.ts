import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { formPostFields } from './support/idp/http.js';
import { AppleAccount, AppleIdp, IdTokenFactory, startAppleIdp } from './support/idp/apple-idp.js';
import { browser, Browser, codeOf, exchange, PUBLIC_URL } from './support/social.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';

/**
 * Sign in with Apple against a local stand-in that checks our ES256 client-secret JWT and signs ID
 * tokens with a key it publishes at /auth/keys: the form_post round trip, linking, and every check
 * of the ID token the service makes itself (passport-apple makes none).
 */
describe('Sign in with Apple', () => {
  let apple: AppleIdp;
  let t: TestApp;
  let seed: Seed;
  /** The browser the logins run in (it keeps the login cookies). */
  let web: Browser;

  beforeAll(async () => {
    apple = await startAppleIdp();
    t = await createTestApp({ PUBLIC_URL, ...apple.env });
    web = browser(t);
    seed = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
    await apple?.close();
  });

  function person(overrides: Partial<AppleAccount> = {}): AppleAccount {
    return {
      sub: unique('001234.apple'),
      email: `${unique('apple')}@privaterelay.appleid.com`,
      email_verified: 'true',
      name: { firstName: 'Grace', lastName: 'Hopper' },
      ...overrides,
    };
  }

  /** The start route, then Apple's page: the form a browser would post to our callback. */
  async function appleForm(who: AppleAccount, s: Seed = seed) {
    const start = await web.post('/auth/oauth-apple').type('form').send({
      client_id: s.client.clientId,
      client_secret: s.clientSecret!,
    });
    expect(start.status, JSON.stringify(start.body)).toBe(302);
    const authorize = new URL(start.headers.location as string);
    expect(authorize.pathname).toBe('/auth/authorize');
    expect(authorize.searchParams.get('response_mode')).toBe('form_post');
    expect(authorize.searchParams.get('scope')).toBe('name email');
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    apple.loginAs(who);
    const page = await fetch(authorize);
    const form = formPostFields(await page.text());
    expect(form.action).toBe(`${PUBLIC_URL}/auth/apple-oauth-redirect`);
    return form.fields;
  }

  const post = (fields: Record<string, string>) =>
    web.post('/auth/apple-oauth-redirect').type('form').send(fields);

  it('first login creates the user (name from the first form_post), second finds them; the code is exchanged', async () => {
    const who = person();
    const first = await appleForm(who);
    expect(first.user).toBeTruthy();
    const tokens = expectTokenResponse(await exchange(t, codeOf(await post(first)), seed.client.clientId));
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
      first_name: 'Grace',
      last_name: 'Hopper',
    });
    const [activity] = await sql<{ auth_method: string }>(
      t,
      'SELECT auth_method FROM login_activity WHERE actor = $1',
      [userId],
    );
    expect(activity?.auth_method).toBe('APPLE');

    const second = await appleForm(who);
    expect(second.user).toBeUndefined();
    const again = expectTokenResponse(await exchange(t, codeOf(await post(second)), seed.client.clientId));
    expect(decodeClaims(again.accessToken).sub).toBe(userId);
    expect(apple.refusedSecrets).toEqual([]);
  });

  it('links Apple\'s verified email (the string "true") to the existing user', async () => {
    const fields = await appleForm(person({ email: seed.email }));
    const tokens = expectTokenResponse(await exchange(t, codeOf(await post(fields)), seed.client.clientId));
    expect(decodeClaims(tokens.accessToken).sub).toBe(seed.user.id);
  });

  it('the GET callback works too', async () => {
    const fields = await appleForm(person());
    codeOf(await web.get(`/auth/apple-oauth-redirect?${new URLSearchParams(fields)}`));
  });

  it("a form_post from another browser (without this browser's login cookie) is 401 INVALID_STATE", async () => {
    const who = person();
    const fields = await appleForm(who);
    expectError(
      await t.http.post('/auth/apple-oauth-redirect').type('form').send(fields),
      401,
      'INVALID_STATE',
    );
    const linked = await sql(
      t,
      "SELECT 1 FROM user_credential WHERE provider = 'apple' AND external_id = $1",
      [who.sub],
    );
    expect(linked).toHaveLength(0);
    codeOf(await post(fields));
  });

  it('on an https PUBLIC_URL the cookie is SameSite=None; Secure (form_post is a cross-site POST)', async () => {
    const https = await createTestApp({ ...apple.env, PUBLIC_URL: 'https://auth.example.com' });
    try {
      const s = await seedTenant(https);
      const start = await https.http
        .post('/auth/oauth-apple')
        .send({ client_id: s.client.clientId, client_secret: s.clientSecret });
      expect(start.status).toBe(302);
      const line = (start.headers['set-cookie'] as unknown as string[])[0]!;
      expect(line).toMatch(/^__Host-auth-login-apple=[\w-]{43}; /);
      expect(line.split('; ').slice(1)).toEqual(
        expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=None']),
      );
    } finally {
      await https.close();
    }
  });

  it('a replayed callback is 401 INVALID_STATE', async () => {
    const fields = await appleForm(person());
    codeOf(await post(fields));
    expectError(await post(fields), 401, 'INVALID_STATE');
  });

  it('a cancelled login is 401 PROVIDER_ERROR; a malformed user field is ignored', async () => {
    const fields = await appleForm(person());
    expectError(
      await post({ state: fields.state!, error: 'user_cancelled_authorize' }),
      401,
      'PROVIDER_ERROR',
    );
    const other = await appleForm(person());
    codeOf(await post({ ...other, user: '{not json' }));
  });

  describe('ID token checks', () => {
    async function refusedWith(factory: IdTokenFactory) {
      const who = person();
      const fields = await appleForm(who);
      apple.idTokens(factory);
      try {
        expectError(await post(fields), 401, 'PROVIDER_ERROR');
      } finally {
        apple.idTokens(null);
      }
      const linked = await sql(
        t,
        "SELECT 1 FROM user_credential WHERE provider = 'apple' AND external_id = $1",
        [who.sub],
      );
      expect(linked).toHaveLength(0);
    }

    it("refuses a forged ID token (another key under Apple's kid)", async () => {
      const { privateKey } = await generateKeyPair('RS256');
      await refusedWith((claims, sign) => sign(claims, { key: privateKey }));
    });

    it('refuses an unsigned ID token (alg none)', async () => {
      await refusedWith(async (claims) => {
        const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
        return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
      });
    });

    it('refuses an expired ID token', async () => {
      const past = Math.floor(Date.now() / 1000) - 3600;
      await refusedWith((claims, sign) => sign({ ...claims, iat: past - 600, exp: past }));
    });

    it('refuses a wrong audience, a wrong issuer and a wrong nonce', async () => {
      await refusedWith((claims, sign) => sign({ ...claims, aud: 'com.someone.else' }));
      await refusedWith((claims, sign) => sign({ ...claims, iss: 'https://appleid.apple.com' }));
      await refusedWith((claims, sign) => sign({ ...claims, nonce: 'another-login' }));
    });

    it("refuses an ID token whose key is not in Apple's JWKS", async () => {
      const { privateKey } = await generateKeyPair('RS256');
      await refusedWith((claims, sign) => sign(claims, { key: privateKey, kid: 'unknown-kid' }));
    });
  });

  it('malformed start bodies are 4xx', async () => {
    expectError(await t.http.post('/auth/oauth-apple').send({}), 422, 'VALIDATION_FAILED');
    expectError(
      await t.http.post('/auth/oauth-apple').type('form').send('client_id=a&client_id=b'),
      422,
      'VALIDATION_FAILED',
    );
    expectError(await t.http.post('/auth/oauth-apple').send({ client_id: 'nope' }), 401, 'INVALID_CLIENT');
    expectError(
      await t.http.post('/auth/apple-oauth-redirect').type('form').send('state='),
      401,
      'INVALID_STATE',
    );
    expectError(
      await t.http.post('/auth/apple-oauth-redirect').set('content-type', 'text/plain').send('x'),
      400,
      'BAD_REQUEST',
    );
  });
});
