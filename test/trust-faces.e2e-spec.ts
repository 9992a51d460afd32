import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEncryptionKey } from '../src/config/config.js';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { pkcePair, redirectParams } from './support/headless.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { until } from './support/wait.js';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const REDIRECT = 'https://app.example.com/callback';

/** An RFC 6749 error of /oauth2/token with the contract's `code`. */
function expectOAuthError(res: Response, status: number, error: string, code: string): void {
  expect({ status: res.status, error: res.body.error, code: res.body.code }).toEqual({ status, error, code });
}

/**
 * API.md section 12 rules of the token engine's two faces: "Confidential clients on the standard
 * face", "Codes stay on their face", "Auth-code replay" (on both faces, seen by a second instance
 * within 1 s) and the id_token_hint of /oauth2/logout. Every test performs the attack.
 */
describe('trust boundaries: the /auth and /oauth2 faces', () => {
  let t: TestApp;
  /** A second instance on the same database. */
  let t2: TestApp;
  /** A confidential client (with clientSecret) and its member. */
  let conf: Seed;
  /** A public client and its member. */
  let pub: Seed;

  /** A code of /oauth2/authorize through the hosted login page (the standard query). */
  async function authorizeCode(seed: Seed, scope = 'openid') {
    const { verifier, challenge } = pkcePair();
    const page = await t.http.get('/oauth2/authorize').query({
      response_type: 'code',
      client_id: seed.client.clientId,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'st',
      scope,
    });
    expect(page.status).toBe(200);
    const redirectSession = /name="redirectSession" value="([^"]+)"/.exec(page.text)![1]!;
    const done = await t.http
      .post('/oauth2/authorize')
      .type('form')
      .send({ redirectSession, email: seed.email, password: seed.password });
    expect(done.status).toBe(303);
    return { code: redirectParams(done.headers.location).code!, verifier };
  }

  const oauth2Exchange = (seed: Seed, code: string, verifier: string, withSecret = true) =>
    t.http.post('/oauth2/token').send({
      grant_type: 'authorization_code',
      client_id: seed.client.clientId,
      ...(withSecret && seed.clientSecret ? { client_secret: seed.clientSecret } : {}),
      code,
      code_verifier: verifier,
    });

  const oauth2Refresh = (seed: Seed, refreshToken: string, withSecret = true) =>
    t.http.post('/oauth2/token').send({
      grant_type: 'refresh_token',
      client_id: seed.client.clientId,
      ...(withSecret && seed.clientSecret ? { client_secret: seed.clientSecret } : {}),
      refresh_token: refreshToken,
    });

  async function oauth2Tokens(seed: Seed) {
    const { code, verifier } = await authorizeCode(seed);
    const res = await oauth2Exchange(seed, code, verifier);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { access_token: string; refresh_token: string; id_token: string };
  }

  beforeAll(async () => {
    const env = { ENCRYPTION_KEY: generateEncryptionKey() };
    t = await createTestApp(env);
    t2 = await createTestApp(env, { databaseUrl: t.databaseUrl });
    conf = await seedTenant(t);
    expect(conf.clientSecret).toBeDefined();
    pub = await seedTenant(t, { client: { public: true } });
  });
  afterAll(async () => {
    await t2?.close();
    await t?.close();
  });

  describe('confidential clients on the standard face', () => {
    it("a confidential client's /oauth2/token session is refused by every other refresh route (401 INVALID_CLIENT)", async () => {
      const tokens = await oauth2Tokens(conf);
      const rt = tokens.refresh_token;
      expectError(await t.http.post('/auth/token-refresh').send({ refreshToken: rt }), 401, 'INVALID_CLIENT');
      expectError(
        await t.http.post('/auth/token-refresh').send({ refreshToken: rt, tenantId: conf.tenant.id }),
        401,
        'INVALID_CLIENT',
      );
      expectError(
        await t.http
          .post('/auth/switch-token')
          .set(bearer(tokens.access_token))
          .send({ refreshToken: rt, tenantId: conf.tenant.id }),
        401,
        'INVALID_CLIENT',
      );
      expectError(
        await t.http.post('/auth/v2/oauth1/tokens').send({ refreshToken: rt }),
        401,
        'INVALID_CLIENT',
      );
      // /oauth2/token itself wants the client's authentication.
      expectOAuthError(await oauth2Refresh(conf, rt, false), 401, 'invalid_client', 'INVALID_CLIENT');
      // Nothing was spent by the refusals (no reuse detection tripped): with the secret it rotates.
      const rotated = await oauth2Refresh(conf, rt);
      expect(rotated.status).toBe(200);
      expectError(
        await t.http.post('/auth/token-refresh').send({ refreshToken: rotated.body.refresh_token }),
        401,
        'INVALID_CLIENT',
      );
    });

    it('sessions of the other routes keep their rules: a public /oauth2 session, a confidential /auth/login one', async () => {
      const publicTokens = await oauth2Tokens(pub);
      expectTokenResponse(
        await t.http.post('/auth/token-refresh').send({ refreshToken: publicTokens.refresh_token }),
      );
      const login = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(conf)));
      expectTokenResponse(
        await t.http.post('/auth/token-refresh').send({ refreshToken: login.refreshToken }),
      );
    });
  });

  describe('codes stay on their face', () => {
    it("/auth/token refuses a code of /oauth2/authorize (a confidential client's, without its secret)", async () => {
      const { code, verifier } = await authorizeCode(conf);
      expectError(
        await t.http
          .post('/auth/token')
          .send({ code, clientId: conf.client.clientId, codeVerifier: verifier }),
        401,
        'INVALID_CODE',
      );
      // The code is not spent by the refusal; /oauth2/token wants the secret, then gives the tokens.
      expectOAuthError(
        await oauth2Exchange(conf, code, verifier, false),
        401,
        'invalid_client',
        'INVALID_CLIENT',
      );
      const tokens = await oauth2Exchange(conf, code, verifier);
      expect(tokens.status).toBe(200);
      expect(decodeClaims(tokens.body.access_token)).toMatchObject({ sub: conf.user.id });
    });

    it('/oauth2/token refuses a code of /auth/login (invalid_grant INVALID_CODE), which keeps /auth/token', async () => {
      const { body } = await t.http.post('/auth/login').send(loginBody(conf));
      expectOAuthError(
        await t.http.post('/oauth2/token').send({
          grant_type: 'authorization_code',
          client_id: conf.client.clientId,
          client_secret: conf.clientSecret,
          code: body.code,
        }),
        400,
        'invalid_grant',
        'INVALID_CODE',
      );
      expectTokenResponse(
        await t.http.post('/auth/token').send({ code: body.code, clientId: conf.client.clientId }),
      );
    });
  });

  describe('auth-code replay ends the session issued from the code', () => {
    it('/auth/token: the replay is 401 INVALID_CODE and the tokens stop on both instances within 1 s', async () => {
      const { body } = await t.http.post('/auth/login').send(loginBody(conf));
      const tokens = expectTokenResponse(
        await t.http.post('/auth/token').send({ code: body.code, clientId: conf.client.clientId }),
      );
      expect((await t2.http.get('/auth/me').set(bearer(tokens.accessToken))).status).toBe(200);
      expectError(
        await t.http.post('/auth/token').send({ code: body.code, clientId: conf.client.clientId }),
        401,
        'INVALID_CODE',
      );
      for (const app of [t, t2]) {
        await until(
          async () => (await app.http.get('/auth/me').set(bearer(tokens.accessToken))).status === 401,
          1000,
          20,
        );
      }
      expectError(
        await t2.http.post('/auth/token-refresh').send({ refreshToken: tokens.refreshToken }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
    });

    it('/oauth2/token: the replay is invalid_grant INVALID_CODE and the tokens stop on both instances within 1 s', async () => {
      const { code, verifier } = await authorizeCode(conf);
      const first = await oauth2Exchange(conf, code, verifier);
      expect(first.status).toBe(200);
      expect((await t2.http.get('/auth/me').set(bearer(first.body.access_token))).status).toBe(200);
      expectOAuthError(await oauth2Exchange(conf, code, verifier), 400, 'invalid_grant', 'INVALID_CODE');
      for (const app of [t, t2]) {
        await until(
          async () => (await app.http.get('/auth/me').set(bearer(first.body.access_token))).status === 401,
          1000,
          20,
        );
      }
      expectOAuthError(
        await oauth2Refresh(conf, first.body.refresh_token),
        400,
        'invalid_grant',
        'INVALID_REFRESH_TOKEN',
      );
    });

    it('parallel exchanges of one code: one token pair, and the replays end its session too', async () => {
      const { body } = await t.http.post('/auth/login').send(loginBody(conf));
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? t2 : t).http.post('/auth/token').send({ code: body.code, clientId: conf.client.clientId }),
        ),
      );
      const ok = results.filter((r) => r.status === 200);
      expect(ok).toHaveLength(1);
      for (const r of results.filter((r) => r.status !== 200)) expectError(r, 401, 'INVALID_CODE');
      await until(
        async () => (await t.http.get('/auth/me').set(bearer(ok[0]!.body.accessToken))).status === 401,
        1000,
        20,
      );
    });

    it('a replay on the other face, or by another client, still ends the session', async () => {
      const { code, verifier } = await authorizeCode(pub);
      const first = await oauth2Exchange(pub, code, verifier);
      expect(first.status).toBe(200);
      expectError(
        await t2.http
          .post('/auth/token')
          .send({ code, clientId: conf.client.clientId, codeVerifier: verifier }),
        401,
        'INVALID_CODE',
      );
      await until(
        async () => (await t.http.get('/auth/me').set(bearer(first.body.access_token))).status === 401,
        1000,
        20,
      );
    });
  });

  describe('/oauth2/logout id_token_hint', () => {
    it('an access token passed as id_token_hint is refused and ends nothing; the id_token works', async () => {
      const tokens = await oauth2Tokens(pub);
      const logout = (hint: string) =>
        t.http.get('/oauth2/logout').query({ id_token_hint: hint, post_logout_redirect_uri: REDIRECT });
      expectError(await logout(tokens.access_token), 400, 'INVALID_REQUEST');
      expect((await t.http.get('/auth/me').set(bearer(tokens.access_token))).status).toBe(200);
      // A member token of the /auth face (aud and sid too) is no id_token either.
      const login = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(conf)));
      expectError(await logout(login.accessToken), 400, 'INVALID_REQUEST');
      expect((await t.http.get('/auth/me').set(bearer(login.accessToken))).status).toBe(200);

      const done = await logout(tokens.id_token);
      expect(done.status).toBe(302);
      expect(done.headers.location).toBe(REDIRECT);
      expectError(await t.http.get('/auth/me').set(bearer(tokens.access_token)), 401, 'UNAUTHORIZED');
    });
  });
});
