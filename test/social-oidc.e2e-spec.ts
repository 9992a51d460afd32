import { randomBytes } from 'node:crypto';
import { generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox, sealedAt } from '../src/common/crypto/secret-box.js';
import { s256 } from '../src/tokens/pkce.js';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { followRedirects } from './support/idp/http.js';
import { OidcIdp, startOidcIdp, TestAccount } from './support/idp/oidc-idp.js';
import {
  browser,
  Browser,
  codeOf,
  exchange,
  jwtPayload,
  loginCookie,
  pathOf,
  PUBLIC_URL,
} from './support/social.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';

type Oidc = 'google' | 'azure' | 'cognito' | 'keycloak';

const PROVIDERS: { name: Oidc; start: string; callback: string; method: string }[] = [
  { name: 'google', start: '/auth/google', callback: '/auth/google-auth-redirect', method: 'GOOGLE' },
  { name: 'azure', start: '/auth/azure', callback: '/auth/azure-oauth-redirect', method: 'AZURE' },
  { name: 'cognito', start: '/auth/cognito', callback: '/auth/cognito-auth-redirect', method: 'COGNITO' },
  { name: 'keycloak', start: '/auth/keycloak', callback: '/auth/keycloak-auth-redirect', method: 'KEYCLOAK' },
];

function clientOf(name: Oidc) {
  return { clientId: `${name}-client`, clientSecret: `${name}-secret-0123456789`, redirectUri: '' };
}

function envFor(idp: OidcIdp, names: Oidc[] = ['google', 'azure', 'cognito', 'keycloak']) {
  const env: Record<string, string> = { PUBLIC_URL };
  for (const name of names) {
    const p = name.toUpperCase();
    env[`${p}_CLIENT_ID`] = clientOf(name).clientId;
    env[`${p}_CLIENT_SECRET`] = clientOf(name).clientSecret;
    env[`${p}_ISSUER`] = idp.issuer;
  }
  return env;
}

function account(overrides: Partial<TestAccount> = {}): TestAccount {
  return {
    sub: unique('sub'),
    email: `${unique('person')}@example.com`,
    email_verified: true,
    given_name: 'Ada',
    family_name: 'Lovelace',
    ...overrides,
  };
}

/**
 * Google, Azure AD, Cognito and Keycloak against a real OpenID Provider (oidc-provider) on
 * loopback: the whole browser round trip, the linking rules of API.md section 5, the state rules,
 * every ID-token check, and the provider logouts.
 */
describe('OpenID Connect logins (Google, Azure AD, Cognito, Keycloak)', () => {
  let idp: OidcIdp;
  let t: TestApp;
  let seed: Seed;
  /** The browser every login of these tests runs in (it keeps the login cookies). */
  let web: Browser;

  beforeAll(async () => {
    idp = await startOidcIdp(
      PROVIDERS.map((p) => ({ ...clientOf(p.name), redirectUri: PUBLIC_URL + p.callback })),
    );
    t = await createTestApp(envFor(idp));
    web = browser(t);
    seed = await seedTenant(t, {
      client: { redirectUrls: ['https://app.example.com/callback', 'https://app.example.com/other'] },
    });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const startBody = (s: Seed = seed, extra: Record<string, unknown> = {}) => ({
    client_id: s.client.clientId,
    client_secret: s.clientSecret,
    ...extra,
  });

  /** Start route -> provider login -> the callback URL the browser is sent back to. */
  async function toCallback(path: string, who: TestAccount, body: Record<string, unknown> = startBody()) {
    const start = await web.post(path).send(body);
    expect(start.status, JSON.stringify(start.body)).toBe(302);
    expect(start.headers['cache-control']).toContain('no-store');
    idp.loginAs(who);
    return followRedirects(start.headers.location as string, PUBLIC_URL);
  }

  async function login(provider = PROVIDERS[0]!, who: TestAccount, body?: Record<string, unknown>) {
    const callback = await toCallback(provider.start, who, body);
    return web.get(pathOf(callback));
  }

  const credentialUser = async (provider: string, externalId: string) =>
    (
      await sql<{ user_id: string }>(
        t,
        'SELECT user_id FROM user_credential WHERE provider = $1 AND external_id = $2',
        [provider, externalId],
      )
    )[0]?.user_id;

  describe.each(PROVIDERS)('$name', (provider) => {
    it('first login creates an ACTIVE user, the code is exchanged at /auth/token, the second login finds them', async () => {
      const who = account();
      const code = codeOf(await login(provider, who));
      const tokens = expectTokenResponse(await exchange(t, code, seed.client.clientId));
      const claims = decodeClaims(tokens.accessToken);
      const userId = await credentialUser(provider.name, who.sub);
      expect(claims).toMatchObject({ sub: userId, tid: seed.tenant.id, cid: seed.client.clientId });
      const [user] = await sql<{
        email: string;
        email_verified: boolean;
        first_name: string;
        last_name: string;
      }>(t, 'SELECT email, email_verified, first_name, last_name FROM app_user WHERE id = $1', [userId]);
      expect(user).toEqual({
        email: who.email,
        email_verified: true,
        first_name: 'Ada',
        last_name: 'Lovelace',
      });
      const [membership] = await sql<{ status: string }>(
        t,
        'SELECT status FROM membership WHERE user_id = $1 AND tenant_id = $2',
        [userId, seed.tenant.id],
      );
      expect(membership?.status).toBe('ACTIVE');
      const activity = await sql<{ auth_method: string; login_type: string }>(
        t,
        'SELECT auth_method, login_type FROM login_activity WHERE actor = $1',
        [userId],
      );
      expect(activity).toEqual([{ auth_method: provider.method, login_type: 'ACCESS' }]);

      const again = codeOf(await login(provider, { ...who, given_name: 'Changed' }));
      const second = decodeClaims(
        expectTokenResponse(await exchange(t, again, seed.client.clientId)).accessToken,
      );
      expect(second.sub).toBe(userId);
      const users = await sql(t, 'SELECT 1 FROM user_credential WHERE provider = $1 AND external_id = $2', [
        provider.name,
        who.sub,
      ]);
      expect(users).toHaveLength(1);
    });

    it('the deprecated GET start route works the same', async () => {
      const query = new URLSearchParams({
        client_id: seed.client.clientId,
        client_secret: seed.clientSecret!,
      });
      const start = await web.get(`${provider.start}?${query}`);
      expect(start.status).toBe(302);
      idp.loginAs(account());
      const callback = await followRedirects(start.headers.location as string, PUBLIC_URL);
      codeOf(await web.get(pathOf(callback)));
    });

    it('accepts a form body on the start route', async () => {
      const start = await t.http.post(provider.start).type('form').send(startBody());
      expect(start.status).toBe(302);
      const location = new URL(start.headers.location as string);
      expect(location.origin).toBe(idp.issuer);
      expect(location.searchParams.get('code_challenge_method')).toBe('S256');
      expect(location.searchParams.get('nonce')).toBeTruthy();
      expect(location.searchParams.get('redirect_uri')).toBe(PUBLIC_URL + provider.callback);
    });
  });

  describe('linking (API.md section 5)', () => {
    it('links a verified email to the existing user of the tenant', async () => {
      const res = await login(undefined, account({ email: seed.email.toUpperCase() }));
      const claims = decodeClaims(
        expectTokenResponse(await exchange(t, codeOf(res), seed.client.clientId)).accessToken,
      );
      expect(claims.sub).toBe(seed.user.id);
    });

    it('never links an unverified email; a taken one is not stored on the new user', async () => {
      const s = await seedTenant(t);
      const who = account({ email: s.email, email_verified: false });
      const claims = decodeClaims(
        expectTokenResponse(
          await exchange(t, codeOf(await login(undefined, who, startBody(s))), s.client.clientId),
        ).accessToken,
      );
      expect(claims.sub).not.toBe(s.user.id);
      const [user] = await sql<{ email: string | null }>(t, 'SELECT email FROM app_user WHERE id = $1', [
        claims.sub,
      ]);
      expect(user?.email).toBeNull();
    });

    it('keeps an unverified email nobody has, marked unverified (Cognito-style "false" string too)', async () => {
      const who = account({ email_verified: 'false' });
      const res = await login(undefined, who);
      const claims = decodeClaims(
        expectTokenResponse(await exchange(t, codeOf(res), seed.client.clientId)).accessToken,
      );
      const [user] = await sql<{ email: string; email_verified: boolean }>(
        t,
        'SELECT email, email_verified FROM app_user WHERE id = $1',
        [claims.sub],
      );
      expect(user).toEqual({ email: who.email, email_verified: false });
    });

    it('links a user of another tenant and, with allowSignUp, makes them a member', async () => {
      const other = await seedTenant(t);
      const res = await login(undefined, account({ email: other.email }));
      const claims = decodeClaims(
        expectTokenResponse(await exchange(t, codeOf(res), seed.client.clientId)).accessToken,
      );
      expect(claims).toMatchObject({ sub: other.user.id, tid: seed.tenant.id });
    });

    it("without allowSignUp: an unknown person is 401 USER_NOT_FOUND, another tenant's user 403 NOT_A_MEMBER", async () => {
      const closed = await seedTenant(t, { client: { allowSignUp: false } });
      const stranger = account();
      expectError(await login(undefined, stranger, startBody(closed)), 401, 'USER_NOT_FOUND');
      expect(await credentialUser('google', stranger.sub)).toBeUndefined();
      const other = await seedTenant(t);
      expectError(
        await login(undefined, account({ email: other.email }), startBody(closed)),
        403,
        'NOT_A_MEMBER',
      );
    });

    it('a LOCKED member is refused with 403 LOCKED, never a redirect', async () => {
      const locked = await seedTenant(t, { user: { status: 'LOCKED' } });
      expectError(await login(undefined, account({ email: locked.email }), startBody(locked)), 403, 'LOCKED');
    });

    it('a client with mfaRequired gets a code that waits for the second factor', async () => {
      const mfa = await seedTenant(t, { client: { mfaRequired: true } });
      const code = codeOf(await login(undefined, account(), startBody(mfa)));
      expectError(await exchange(t, code, mfa.client.clientId), 401, 'MFA_REQUIRED');
    });
  });

  describe('start route options', () => {
    it('binds the code to a PKCE challenge', async () => {
      const verifier = randomBytes(32).toString('base64url');
      const body = startBody(seed, { code_challenge: s256(verifier), code_challenge_method: 'S256' });
      const code = codeOf(await login(undefined, account(), body));
      expectError(await exchange(t, code, seed.client.clientId), 401, 'INVALID_CODE');
      const code2 = codeOf(await login(undefined, account(), body));
      expectTokenResponse(await exchange(t, code2, seed.client.clientId, verifier));
    });

    it('redirects to a registered redirect_uri and echoes the client state', async () => {
      const res = await login(
        undefined,
        account(),
        startBody(seed, { redirect_uri: 'https://app.example.com/other', state: 'xyz-123' }),
      );
      codeOf(res, 'https://app.example.com/other');
      expect(new URL(res.headers.location as string).searchParams.get('state')).toBe('xyz-123');
    });

    it('refuses an unregistered redirect_uri with 400 INVALID_REDIRECT_URI', async () => {
      const res = await t.http
        .post('/auth/google')
        .send(startBody(seed, { redirect_uri: 'https://evil.example.com/callback' }));
      expectError(res, 400, 'INVALID_REDIRECT_URI');
    });

    it('refuses an unknown client or a wrong secret with 401 INVALID_CLIENT', async () => {
      expectError(await t.http.post('/auth/google').send({ client_id: 'nope' }), 401, 'INVALID_CLIENT');
      expectError(
        await t.http.post('/auth/google').send(startBody(seed, { client_secret: 'x'.repeat(40) })),
        401,
        'INVALID_CLIENT',
      );
      expectError(
        await t.http.post('/auth/azure').send({ client_id: seed.client.clientId }),
        401,
        'INVALID_CLIENT',
      );
    });

    it('works for a public client without a secret', async () => {
      const spa = await seedTenant(t, { client: { public: true } });
      codeOf(await login(undefined, account(), { client_id: spa.client.clientId }));
    });
  });

  describe('state', () => {
    it('works once: a replayed callback is 401 INVALID_STATE', async () => {
      const callback = await toCallback('/auth/google', account());
      codeOf(await web.get(pathOf(callback)));
      expectError(await web.get(pathOf(callback)), 401, 'INVALID_STATE');
    });

    it('a missing, unknown or repeated state is 401 INVALID_STATE', async () => {
      expectError(await t.http.get('/auth/google-auth-redirect?code=abc'), 401, 'INVALID_STATE');
      expectError(
        await t.http.get('/auth/google-auth-redirect?code=abc&state=unknown'),
        401,
        'INVALID_STATE',
      );
      expectError(
        await t.http.get('/auth/google-auth-redirect?code=abc&state=a&state=b'),
        401,
        'INVALID_STATE',
      );
      expectError(
        await t.http.get(`/auth/google-auth-redirect?state[x]=${'y'.repeat(3000)}`),
        401,
        'INVALID_STATE',
      );
    });

    it("a foreign state (another provider's) is 401 INVALID_STATE", async () => {
      const callback = await toCallback('/auth/google', account());
      expectError(await web.get(`/auth/azure-oauth-redirect${callback.search}`), 401, 'INVALID_STATE');
      // ... and spent by that attempt.
      expectError(await web.get(pathOf(callback)), 401, 'INVALID_STATE');
    });

    it('an error from the provider is 401 PROVIDER_ERROR with the error body', async () => {
      const start = await web.post('/auth/google').send(startBody());
      const state = new URL(start.headers.location as string).searchParams.get('state');
      const query = new URLSearchParams({ error: 'access_denied', state: state!, iss: idp.issuer });
      const res = await web.get(`/auth/google-auth-redirect?${query}`);
      expectError(res, 401, 'PROVIDER_ERROR');
      expect(res.body.message).toContain('access_denied');
      expect(res.headers.location).toBeUndefined();
    });

    it('a code the provider refuses is 401 PROVIDER_ERROR', async () => {
      const callback = await toCallback('/auth/google', account());
      callback.searchParams.set('code', 'not-a-code-the-provider-issued');
      expectError(await web.get(pathOf(callback)), 401, 'PROVIDER_ERROR');
    });

    it("ignores extra provider parameters such as Azure's session_state", async () => {
      const callback = await toCallback('/auth/azure', account());
      callback.searchParams.set('session_state', 'abc.def');
      codeOf(await web.get(pathOf(callback)));
    });

    it('another instance on the same database finishes a login this one started', async () => {
      const other = await createTestApp(
        { ...envFor(idp), ENCRYPTION_KEY: t.config.encryptionKey!.toString('base64') },
        { databaseUrl: t.databaseUrl },
      );
      try {
        const start = await t.http.post('/auth/keycloak').send(startBody());
        idp.loginAs(account());
        const callback = await followRedirects(start.headers.location as string, PUBLIC_URL);
        // The same browser (its login cookie) finishes at the other instance.
        const code = codeOf(await other.http.get(pathOf(callback)).set('Cookie', loginCookie(start)));
        expectTokenResponse(await exchange(t, code, seed.client.clientId));
      } finally {
        await other.close();
      }
    });
  });

  describe('ID token verification', () => {
    /** Re-signs the ID token's claims (changed by `change`) with `key` (default: the provider's own key). */
    function reSign(change: (claims: Record<string, unknown>) => void, key?: CryptoKey, alg = 'RS256') {
      return async (body: Record<string, unknown>) => {
        const claims = jwtPayload(body.id_token as string);
        change(claims);
        const signingKey = key ?? ((await importJWK(idp.signingKey, 'RS256')) as CryptoKey);
        body.id_token = await new SignJWT(claims)
          .setProtectedHeader({ alg, kid: 'test-key-1' })
          .sign(signingKey);
        return body;
      };
    }

    async function refused(provider = PROVIDERS[0]!) {
      const who = account();
      try {
        const res = await login(provider, who);
        expectError(res, 401, 'PROVIDER_ERROR');
      } finally {
        idp.tamperTokens(null);
      }
      expect(await credentialUser(provider.name, who.sub)).toBeUndefined();
    }

    it("accepts the provider's token re-signed with its own key (the checks below are what fails)", async () => {
      idp.tamperTokens(reSign(() => undefined));
      try {
        codeOf(await login(undefined, account()));
      } finally {
        idp.tamperTokens(null);
      }
    });

    it('refuses a forged ID token (signed by another key under the same kid)', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      idp.tamperTokens(reSign(() => undefined, privateKey));
      await refused();
    });

    it('refuses an unsigned ID token (alg none)', async () => {
      idp.tamperTokens((body) => {
        const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        const payload = (body.id_token as string).split('.')[1];
        body.id_token = `${header}.${payload}.`;
        return body;
      });
      await refused(PROVIDERS[1]);
    });

    it('refuses an expired ID token', async () => {
      idp.tamperTokens(
        reSign((c) => {
          c.iat = Math.floor(Date.now() / 1000) - 7200;
          c.exp = Math.floor(Date.now() / 1000) - 3600;
        }),
      );
      await refused(PROVIDERS[2]);
    });

    it('refuses an ID token for another audience', async () => {
      idp.tamperTokens(reSign((c) => void (c.aud = 'someone-else')));
      await refused(PROVIDERS[3]);
    });

    it('refuses an ID token from another issuer', async () => {
      idp.tamperTokens(reSign((c) => void (c.iss = 'https://evil.example.com')));
      await refused();
    });

    it('refuses an ID token with another nonce', async () => {
      idp.tamperTokens(reSign((c) => void (c.nonce = 'replayed-nonce')));
      await refused();
    });

    it('refuses a token answer without an ID token', async () => {
      idp.tamperTokens((body) => {
        delete body.id_token;
        return body;
      });
      await refused();
    });
  });

  describe('provider logouts', () => {
    async function loggedIn(provider: (typeof PROVIDERS)[number]) {
      const who = account();
      const tokens = expectTokenResponse(
        await exchange(t, codeOf(await login(provider, who)), seed.client.clientId),
      );
      const rows = await sql<{ tokens_enc: string; credential_id: string }>(
        t,
        `SELECT p.tokens_enc, p.credential_id FROM social_provider_token p
         JOIN user_credential c ON c.id = p.credential_id WHERE c.provider = $1 AND c.external_id = $2`,
        [provider.name, who.sub],
      );
      expect(rows).toHaveLength(1);
      const kept = JSON.parse(
        t.app
          .get(SecretBox)
          .decrypt(
            rows[0]!.tokens_enc,
            sealedAt('social_provider_token', 'tokens_enc', rows[0]!.credential_id),
          ),
      ) as { refreshToken: string };
      expect(kept.refreshToken).toBeTruthy();
      expect(rows[0]!.tokens_enc).not.toContain(kept.refreshToken);
      return { tokens, providerRefreshToken: kept.refreshToken, name: provider.name };
    }

    /** Whether the provider still honours its refresh token (a refresh_token grant at its token endpoint). */
    async function providerAccepts(name: Oidc, refreshToken: string): Promise<boolean> {
      const c = clientOf(name);
      const res = await fetch(`${idp.issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      });
      await res.body?.cancel();
      return res.ok;
    }

    it.each([
      ['/google/logout', PROVIDERS[0]!],
      ['/keycloak/logout', PROVIDERS[3]!],
    ])('%s ends the session here and at the provider', async (path, provider) => {
      const session = await loggedIn(provider);
      const res = await t.http
        .post(path)
        .set('authorization', `Bearer ${session.tokens.accessToken}`)
        .send({ refreshToken: session.tokens.refreshToken });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
      expectError(
        await t.http.post('/auth/token-refresh').send({ refreshToken: session.tokens.refreshToken }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      expectError(
        await t.http.get('/auth/me').set('authorization', `Bearer ${session.tokens.accessToken}`),
        401,
        'UNAUTHORIZED',
      );
      expect(await providerAccepts(session.name as Oidc, session.providerRefreshToken)).toBe(false);
      const left = await sql(
        t,
        'SELECT 1 FROM social_provider_token p JOIN user_credential c ON c.id = p.credential_id WHERE c.user_id = $1',
        [decodeClaims(session.tokens.accessToken).sub],
      );
      expect(left).toHaveLength(0);
    });

    it('answers the documented errors', async () => {
      const session = await loggedIn(PROVIDERS[0]!);
      const other = await loggedIn(PROVIDERS[0]!);
      const bearer = `Bearer ${session.tokens.accessToken}`;
      expectError(await t.http.post('/google/logout').send({ refreshToken: 'x' }), 401, 'UNAUTHORIZED');
      expectError(
        await t.http.post('/google/logout').set('authorization', bearer).send({ refreshToken: 'unknown' }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      expectError(
        await t.http
          .post('/google/logout')
          .set('authorization', bearer)
          .send({ refreshToken: other.tokens.refreshToken }),
        403,
        'FORBIDDEN',
      );
      expectError(
        await t.http.post('/google/logout').set('authorization', bearer).send({}),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await t.http.post('/keycloak/logout').set('authorization', bearer).send({ refreshToken: 5 }),
        422,
        'VALIDATION_FAILED',
      );
    });

    it('a provider that cannot be reached does not keep the local logout from happening', async () => {
      const lonely = await startOidcIdp([
        { ...clientOf('keycloak'), redirectUri: PUBLIC_URL + '/auth/keycloak-auth-redirect' },
      ]);
      const app = await createTestApp(envFor(lonely, ['keycloak']));
      try {
        const s = await seedTenant(app);
        const start = await app.http.post('/auth/keycloak').send(startBody(s));
        lonely.loginAs(account());
        const callback = await followRedirects(start.headers.location as string, PUBLIC_URL);
        const finish = app.http.get(pathOf(callback)).set('Cookie', loginCookie(start));
        const tokens = expectTokenResponse(await exchange(app, codeOf(await finish), s.client.clientId));
        await lonely.close();
        const res = await app.http
          .post('/keycloak/logout')
          .set('authorization', `Bearer ${tokens.accessToken}`)
          .send({ refreshToken: tokens.refreshToken });
        expect(res.status).toBe(200);
        expectError(
          await app.http.post('/auth/token-refresh').send({ refreshToken: tokens.refreshToken }),
          401,
          'INVALID_REFRESH_TOKEN',
        );
      } finally {
        await app.close();
        await lonely.close();
      }
    });
  });

  describe('malformed input on the start routes', () => {
    const path = '/auth/google';

    it.each([
      ['no client_id', {}],
      ['a numeric client_id', { client_id: 42 }],
      ['an unknown field', { client_id: 'a', extra: true }],
      ['a bad code_challenge', { client_id: 'a', code_challenge: 'short' }],
      [
        'code_challenge_method plain',
        { client_id: 'a', code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' },
      ],
      ['a non-string redirect_uri', { client_id: 'a', redirect_uri: ['https://app.example.com/callback'] }],
    ])('%s is 422 VALIDATION_FAILED', async (_label, body) => {
      expectError(await t.http.post(path).send(body), 422, 'VALIDATION_FAILED');
    });

    it('bad JSON or a wrong content type is 400, a huge body 413', async () => {
      expectError(
        await t.http.post(path).set('content-type', 'application/json').send('{"client_id":'),
        400,
        'BAD_REQUEST',
      );
      expectError(
        await t.http.post(path).set('content-type', 'text/plain').send('client_id=a'),
        400,
        'BAD_REQUEST',
      );
      expectError(
        await t.http.post(path).send({ client_id: 'a', client_secret: 'x'.repeat(150_000) }),
        413,
        'PAYLOAD_TOO_LARGE',
      );
    });

    it('the GET variant validates its query the same way', async () => {
      expectError(await t.http.get('/auth/google?client_id=a&client_id=b'), 422, 'VALIDATION_FAILED');
      expectError(await t.http.get('/auth/google?client_id=a&bogus=1'), 422, 'VALIDATION_FAILED');
      expectError(await t.http.get('/auth/google'), 422, 'VALIDATION_FAILED');
    });

    it('changes nothing', async () => {
      const before = await sql(
        t,
        "SELECT count(*)::int AS n FROM one_time_token WHERE purpose = 'provider-state'",
      );
      await t.http.post(path).send({ client_id: 42 });
      await t.http.post(path).send({ client_id: 'nope' });
      const after = await sql(
        t,
        "SELECT count(*)::int AS n FROM one_time_token WHERE purpose = 'provider-state'",
      );
      expect(after).toEqual(before);
    });
  });
});

describe('providers that are not configured or cannot be reached', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      PUBLIC_URL,
      AZURE_CLIENT_ID: 'azure-client',
      AZURE_CLIENT_SECRET: 'azure-secret',
      AZURE_ISSUER: 'http://127.0.0.1:9/tenant/v2.0',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['post', '/auth/google'],
    ['get', '/auth/google'],
    ['get', '/auth/google-auth-redirect'],
    ['post', '/auth/oauth-apple'],
    ['post', '/auth/apple-oauth-redirect'],
    ['get', '/auth/apple-oauth-redirect'],
    ['post', '/auth/cognito'],
    ['get', '/auth/cognito-auth-redirect'],
    ['post', '/auth/facebook'],
    ['get', '/auth/facebook-auth-redirect'],
    ['post', '/auth/instagram'],
    ['get', '/auth/instagram-auth-redirect'],
    ['post', '/auth/keycloak'],
    ['get', '/auth/keycloak-auth-redirect'],
    ['post', '/auth/saml'],
    ['post', '/auth/saml-redirect'],
    ['get', '/auth/saml/metadata'],
    ['post', '/google/logout'],
    ['post', '/keycloak/logout'],
  ] as const)('%s %s answers 404 PROVIDER_NOT_CONFIGURED', async (method, path) => {
    expectError(await t.http[method](path).send({ client_id: 'x' }), 404, 'PROVIDER_NOT_CONFIGURED');
  });

  it('a provider whose discovery fails answers 401 PROVIDER_ERROR, not a 5xx', async () => {
    const seed = await seedTenant(t);
    const res = await t.http
      .post('/auth/azure')
      .send({ client_id: seed.client.clientId, client_secret: seed.clientSecret });
    expectError(res, 401, 'PROVIDER_ERROR');
  });
});
