import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { followRedirects } from './support/idp/http.js';
import { OidcIdp, startOidcIdp, TestAccount } from './support/idp/oidc-idp.js';
import { browser, codeOf, loginCookie, pathOf, PUBLIC_URL } from './support/social.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';

const GOOGLE = { clientId: 'google-client', clientSecret: 'google-secret-0123456789' };
const envFor = (idp: OidcIdp, publicUrl = PUBLIC_URL) => ({
  PUBLIC_URL: publicUrl,
  GOOGLE_CLIENT_ID: GOOGLE.clientId,
  GOOGLE_CLIENT_SECRET: GOOGLE.clientSecret,
  GOOGLE_ISSUER: idp.issuer,
});
const account = (): TestAccount => ({
  sub: unique('sub'),
  email: `${unique('person')}@example.com`,
  email_verified: true,
});

/**
 * Browser-bound social state (API.md section 12) against a real OpenID Provider: the start route's
 * login cookie, and login CSRF (the callback URL of someone else's login opened in this browser)
 * refused before anything is spent. Apple's and SAML's cross-site POST callbacks are covered in
 * their own specs.
 */
describe('social state bound to the browser that started the login', () => {
  let idp: OidcIdp;
  let t: TestApp;
  let seed: Seed;

  beforeAll(async () => {
    idp = await startOidcIdp([{ ...GOOGLE, redirectUri: `${PUBLIC_URL}/auth/google-auth-redirect` }]);
    t = await createTestApp(envFor(idp));
    seed = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const startBody = () => ({ client_id: seed.client.clientId, client_secret: seed.clientSecret });
  const credentialUser = async (provider: string, externalId: string) =>
    (
      await sql<{ user_id: string }>(
        t,
        'SELECT user_id FROM user_credential WHERE provider = $1 AND external_id = $2',
        [provider, externalId],
      )
    )[0]?.user_id;

  it('the start route sets an HttpOnly, SameSite=Lax login cookie (not Secure on an http PUBLIC_URL)', async () => {
    const start = await browser(t).post('/auth/google').send(startBody());
    expect(start.status).toBe(302);
    const line = (start.headers['set-cookie'] as unknown as string[]).find((l) =>
      l.startsWith('auth-login-google='),
    )!;
    expect(line).toMatch(/^auth-login-google=[\w-]{43}; /);
    const attributes = line.split('; ').slice(1);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=600']));
    expect(attributes).not.toContain('Secure');
    // Only its hash is kept with the state.
    const value = line.split(';')[0]!.split('=')[1]!;
    const rows = await sql(t, `SELECT * FROM one_time_token WHERE purpose = 'provider-state'`);
    expect(JSON.stringify(rows)).not.toContain(value);
  });

  it("login CSRF: the attacker's callback URL opened in the victim's browser is 401 INVALID_STATE and spends nothing", async () => {
    const attacker = browser(t);
    const victim = browser(t);
    const who = account();
    const start = await attacker.post('/auth/google').send(startBody());
    idp.loginAs(who);
    const callback = await followRedirects(start.headers.location as string, PUBLIC_URL);
    const activityBefore = await sql(t, `SELECT count(*)::int AS n FROM login_activity`);

    // A browser without any login cookie.
    expectError(await victim.get(pathOf(callback)), 401, 'INVALID_STATE');
    // A browser with a login cookie of its own (it started a login of its own).
    await victim.post('/auth/google').send(startBody());
    const refused = await victim.get(pathOf(callback));
    expectError(refused, 401, 'INVALID_STATE');
    expect(refused.headers.location).toBeUndefined();
    // A made-up cookie value.
    const forged = `auth-login-google=${randomBytes(32).toString('base64url')}`;
    expectError(await t.http.get(pathOf(callback)).set('Cookie', forged), 401, 'INVALID_STATE');

    // Nothing happened: no user, no credential, no session or activity for the attacker's account.
    expect(await credentialUser('google', who.sub)).toBeUndefined();
    expect(await sql(t, `SELECT count(*)::int AS n FROM login_activity`)).toEqual(activityBefore);
    // ... and the state is unspent: the attacker's own browser can still finish its own login.
    codeOf(await attacker.get(pathOf(callback)));
  });
});

describe('the login cookie on an https PUBLIC_URL', () => {
  it('is __Host- prefixed, Secure, HttpOnly and SameSite=Lax, and the callback needs it', async () => {
    const idp = await startOidcIdp([
      { ...GOOGLE, redirectUri: 'https://auth.example.com/auth/google-auth-redirect' },
    ]);
    const t = await createTestApp(envFor(idp, 'https://auth.example.com'));
    try {
      const s = await seedTenant(t);
      const start = await t.http
        .post('/auth/google')
        .send({ client_id: s.client.clientId, client_secret: s.clientSecret });
      expect(start.status).toBe(302);
      const line = (start.headers['set-cookie'] as unknown as string[])[0]!;
      expect(line).toMatch(/^__Host-auth-login-google=[\w-]{43}; /);
      expect(line.split('; ').slice(1)).toEqual(
        expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax']),
      );
      expect(line).not.toMatch(/Domain=/i);
      idp.loginAs(account());
      const callback = await followRedirects(start.headers.location as string, 'https://auth.example.com');
      expectError(await t.http.get(pathOf(callback)), 401, 'INVALID_STATE');
      codeOf(await t.http.get(pathOf(callback)).set('Cookie', loginCookie(start)));
    } finally {
      await t.close();
      await idp.close();
    }
  });
});
