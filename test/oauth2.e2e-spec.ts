import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import type { AuthClient } from '../src/identity/identity.types.js';
import type { CreateClientInput } from '../src/identity/identity.types.js';
import { cspDirective, decodeClaims, expectError } from './support/assertions.js';
import {
  loginBody,
  type Provisioning,
  seedTenant,
  Seed,
  STRONG_PASSWORD,
  unique,
} from './support/fixtures.js';
import { enrollTotp } from './support/mfa.js';
import { wrongCode } from './support/totp.js';
import {
  bearer,
  createPublicApp,
  pkcePair,
  PublicApp,
  redirectParams,
  visitorToken,
} from './support/headless.js';
import { sql } from './support/test-app.js';

/** An RFC 6749 error of /oauth2/token or /oauth2/revoke: the OAuth fields plus the contract's. */
function expectOAuthError(res: Response, status: number, error: string, code?: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({
    status,
    body: {
      statusCode: status,
      error,
      error_description: expect.any(String),
      code: code ?? expect.any(String),
      message: expect.any(String),
    },
  });
}

/**
 * The OAuth 2.0 face of API.md section 7 over plain HTTP: the token endpoint's grants and error
 * format, redirect sessions and their refusals, /oauth2/authorize in every response mode with the
 * hosted login page, logout, revocation, userinfo and discovery.
 */
describe('OAuth 2.0 endpoints', () => {
  let app: PublicApp;
  let seed: Seed;
  let provisioning: Provisioning;
  let spa: AuthClient;

  const http = () => app.t.http;
  const pathOf = (url: string) => {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  };

  async function client(overrides: Partial<CreateClientInput> = {}) {
    const { client, clientSecret } = await provisioning.clients.createClient({
      clientId: unique('spa'),
      name: 'Acme shop',
      tenantId: seed.tenant.id,
      redirectUrls: ['https://shop.example.com/callback', 'https://shop.example.com/'],
      allowedOrigins: ['https://shop.example.com'],
      public: true,
      ...overrides,
    });
    return { client, clientSecret };
  }

  async function sessionToken(c: AuthClient, visitor: string, s: Seed = seed): Promise<string> {
    const res = await http()
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email: s.email }, password: s.password });
    expect(res.body.state).toBe('SUCCESS');
    return res.body.sessionToken;
  }

  function authBody(c: AuthClient, challenge: string, more: Record<string, unknown> = {}) {
    return {
      auth: {
        clientId: c.clientId,
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
        responseMode: 'query',
        responseType: 'code',
        scope: 'offline_access',
        state: 'state-42',
        ...more,
      },
    };
  }

  /** A code for the seeded member through a bound redirect session (query mode). */
  async function codeFor(c: AuthClient, more: Record<string, unknown> = {}) {
    const visitor = await visitorToken(app.t, c.clientId);
    const pkce = pkcePair();
    const rs = await http()
      .post('/auth/v2/redirect-sessions')
      .set(bearer(visitor))
      .send(authBody(c, pkce.challenge, { sessionToken: await sessionToken(c, visitor), ...more }));
    expect(rs.status).toBe(200);
    const res = await http().get(pathOf(rs.body.redirectSession.fullUrl));
    expect(res.status).toBe(302);
    return {
      ...pkce,
      params: redirectParams(res.headers.location),
      location: res.headers.location as string,
    };
  }

  async function memberTokens(c: AuthClient) {
    const { verifier, params } = await codeFor(c);
    const res = await http().post('/oauth2/token').send({
      clientId: c.clientId,
      grantType: 'authorization_code',
      code: params.code,
      codeVerifier: verifier,
    });
    expect(res.status).toBe(200);
    return res.body as { access_token: string; refresh_token: string; expires_in: number };
  }

  beforeAll(async () => {
    app = await createPublicApp();
    seed = await seedTenant(app.t);
    provisioning = seed.provisioning;
    spa = (await client()).client;
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('POST /oauth2/token', () => {
    it('anonymous: visitor tokens that rotate, carry typ visitor and can be revoked', async () => {
      const res = await http().post('/oauth2/token').send({ clientId: spa.clientId, grantType: 'anonymous' });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toContain('no-store');
      expect(res.body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        expires_in: 14400,
        token_type: 'Bearer',
      });
      const claims = decodeClaims(res.body.access_token);
      expect(claims).toMatchObject({
        typ: 'visitor',
        cid: spa.clientId,
        tid: seed.tenant.id,
        permissions: [],
      });
      expect(claims.sub).not.toBe(
        decodeClaims(
          (await http().post('/oauth2/token').send({ clientId: spa.clientId, grantType: 'anonymous' })).body
            .access_token,
        ).sub,
      );

      const refreshed = await http().post('/oauth2/token').type('form').send({
        client_id: spa.clientId,
        grant_type: 'refresh_token',
        refresh_token: res.body.refresh_token,
      });
      expect(refreshed.status).toBe(200);
      expect(decodeClaims(refreshed.body.access_token)).toMatchObject({ sub: claims.sub, typ: 'visitor' });
      expectOAuthError(
        await http()
          .post('/oauth2/token')
          .send({ clientId: spa.clientId, grantType: 'refresh_token', refreshToken: res.body.refresh_token }),
        400,
        'invalid_grant',
      );
      // Revoking the visitor's refresh token stops its access tokens too.
      const login = { loginId: { email: seed.email }, password: seed.password };
      expect(
        (await http().post('/auth/v2/login').set(bearer(refreshed.body.access_token)).send(login)).status,
      ).toBe(200);
      const revoked = await http()
        .post('/oauth2/revoke')
        .send({ token: refreshed.body.refresh_token, client_id: spa.clientId });
      expect(revoked.status).toBe(200);
      expectError(
        await http().post('/auth/v2/login').set(bearer(refreshed.body.access_token)).send(login),
        401,
        'UNAUTHORIZED',
      );
    });

    it('authorization_code: camelCase JSON or RFC form fields; the code works once, with its verifier', async () => {
      const a = await codeFor(spa);
      expect(a.params).toMatchObject({ state: 'state-42', iss: app.publicUrl });
      // Wrong verifier: refused, and the code is not spent.
      expectOAuthError(
        await http().post('/oauth2/token').send({
          clientId: spa.clientId,
          grantType: 'authorization_code',
          code: a.params.code,
          codeVerifier: pkcePair().verifier,
        }),
        400,
        'invalid_grant',
        'INVALID_CODE',
      );
      expectOAuthError(
        await http()
          .post('/oauth2/token')
          .send({ clientId: spa.clientId, grantType: 'authorization_code', code: a.params.code }),
        400,
        'invalid_grant',
        'INVALID_CODE',
      );
      const ok = await http().post('/oauth2/token').type('form').send({
        grant_type: 'authorization_code',
        client_id: spa.clientId,
        code: a.params.code,
        code_verifier: a.verifier,
        redirect_uri: 'https://shop.example.com/callback',
        unknown_parameter: 'is ignored',
      });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        expires_in: 14400,
        token_type: 'Bearer',
      });
      expect(decodeClaims(ok.body.access_token)).toMatchObject({ sub: seed.user.id, cid: spa.clientId });
      expect(ok.body.id_token).toBeUndefined();
      // Reused code.
      expectOAuthError(
        await http().post('/oauth2/token').send({
          clientId: spa.clientId,
          grantType: 'authorization_code',
          code: a.params.code,
          codeVerifier: a.verifier,
        }),
        400,
        'invalid_grant',
        'INVALID_CODE',
      );
      // Another client's code, and a redirect URI other than the authorization's.
      const b = await codeFor(spa);
      const other = (await client()).client;
      expectOAuthError(
        await http().post('/oauth2/token').send({
          clientId: other.clientId,
          grantType: 'authorization_code',
          code: b.params.code,
          codeVerifier: b.verifier,
        }),
        400,
        'invalid_grant',
        'INVALID_CODE',
      );
      expectOAuthError(
        await http().post('/oauth2/token').send({
          clientId: spa.clientId,
          grantType: 'authorization_code',
          code: b.params.code,
          codeVerifier: b.verifier,
          redirectUri: 'https://shop.example.com/',
        }),
        400,
        'invalid_grant',
        'INVALID_CODE',
      );
    });

    it('the openid scope adds an id_token signed by the service keys, with the nonce', async () => {
      const { verifier, params } = await codeFor(spa, {
        scope: 'openid email offline_access',
        nonce: 'n-123',
      });
      const res = await http().post('/oauth2/token').send({
        clientId: spa.clientId,
        grantType: 'authorization_code',
        code: params.code,
        codeVerifier: verifier,
      });
      expect(res.status).toBe(200);
      const idToken = decodeClaims(res.body.id_token);
      expect(idToken).toMatchObject({
        iss: app.publicUrl,
        sub: seed.user.id,
        aud: spa.clientId,
        nonce: 'n-123',
        email: seed.email,
        email_verified: true,
        sid: decodeClaims(res.body.access_token).sid,
      });
      expect(idToken.jti).toBeUndefined();
      // An id_token is not an access token.
      expectError(await http().get('/auth/me').set(bearer(res.body.id_token)), 401, 'UNAUTHORIZED');
    });

    it('refresh_token: rotation, reuse detection, and only for its own client', async () => {
      const t1 = await memberTokens(spa);
      const other = (await client()).client;
      expectOAuthError(
        await http()
          .post('/oauth2/token')
          .send({ clientId: other.clientId, grantType: 'refresh_token', refreshToken: t1.refresh_token }),
        400,
        'invalid_grant',
        'INVALID_REFRESH_TOKEN',
      );
      const t2 = await http()
        .post('/oauth2/token')
        .send({ clientId: spa.clientId, grantType: 'refresh_token', refreshToken: t1.refresh_token });
      expect(t2.status).toBe(200);
      expect(t2.body.expires_in).toBe(14400);
      expect(t2.body.refresh_token).not.toBe(t1.refresh_token);
      expectOAuthError(
        await http()
          .post('/oauth2/token')
          .send({ clientId: spa.clientId, grantType: 'refresh_token', refreshToken: t1.refresh_token }),
        400,
        'invalid_grant',
        'REFRESH_TOKEN_REUSED',
      );
      // The whole family is gone.
      expectOAuthError(
        await http()
          .post('/oauth2/token')
          .send({ clientId: spa.clientId, grantType: 'refresh_token', refreshToken: t2.body.refresh_token }),
        400,
        'invalid_grant',
      );
      expectError(await http().get('/auth/me').set(bearer(t2.body.access_token)), 401, 'UNAUTHORIZED');
    });

    it("expires_in follows the client's accessTokenExpiration", async () => {
      const short = (await client({ accessTokenExpiration: 600 })).client;
      const tokens = await memberTokens(short);
      expect(tokens.expires_in).toBe(600);
      const claims = decodeClaims(tokens.access_token);
      expect(Number(claims.exp) - Number(claims.iat)).toBe(600);
    });

    it('confidential clients authenticate with client_secret or HTTP Basic (401 invalid_client otherwise)', async () => {
      const { client: conf, clientSecret } = await client({ public: false });
      const body = { clientId: conf.clientId, grantType: 'anonymous' };
      expectOAuthError(
        await http().post('/oauth2/token').send(body),
        401,
        'invalid_client',
        'INVALID_CLIENT',
      );
      expectOAuthError(
        await http()
          .post('/oauth2/token')
          .send({ ...body, clientSecret: 'x'.repeat(40) }),
        401,
        'invalid_client',
      );
      expect(
        (
          await http()
            .post('/oauth2/token')
            .send({ ...body, clientSecret })
        ).status,
      ).toBe(200);
      const basic = Buffer.from(
        `${encodeURIComponent(conf.clientId)}:${encodeURIComponent(clientSecret!)}`,
      ).toString('base64');
      expect(
        (
          await http()
            .post('/oauth2/token')
            .set('Authorization', `Basic ${basic}`)
            .type('form')
            .send({ grant_type: 'anonymous' })
        ).status,
      ).toBe(200);
      expectOAuthError(
        await http()
          .post('/oauth2/token')
          .set('Authorization', `Basic ${basic}`)
          .send({ ...body, clientSecret }),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await http().post('/oauth2/token').send({ clientId: 'no-such-client', grantType: 'anonymous' }),
        401,
        'invalid_client',
        'INVALID_CLIENT',
      );
    });

    it('answers RFC 6749 errors for bad requests, never a 5xx', async () => {
      expectOAuthError(
        await http().post('/oauth2/token').send({}),
        400,
        'invalid_request',
        'INVALID_REQUEST',
      );
      expectOAuthError(
        await http().post('/oauth2/token').send({ clientId: spa.clientId }),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await http().post('/oauth2/token').send({ clientId: spa.clientId, grantType: 'password' }),
        400,
        'unsupported_grant_type',
        'UNSUPPORTED_GRANT_TYPE',
      );
      expectOAuthError(
        await http().post('/oauth2/token').send({ clientId: spa.clientId, grantType: 'authorization_code' }),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await http().post('/oauth2/token').send({ clientId: spa.clientId, grantType: 'refresh_token' }),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await http().post('/oauth2/token').send({ clientId: 7, grantType: 'anonymous' }),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await http()
          .post('/oauth2/token')
          .send({ clientId: spa.clientId, client_id: 'other', grantType: 'anonymous' }),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await http()
          .post('/oauth2/token')
          .type('form')
          .send('grant_type=anonymous&grant_type=anonymous&client_id=x'),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await http().post('/oauth2/token').set('Content-Type', 'application/json').send('{"grantType":'),
        400,
        'invalid_request',
        'BAD_REQUEST',
      );
      expectOAuthError(
        await http().post('/oauth2/token').set('Content-Type', 'text/plain').send('grant_type=anonymous'),
        400,
        'invalid_request',
        'BAD_REQUEST',
      );
      expectOAuthError(
        await http()
          .post('/oauth2/token')
          .send({ clientId: spa.clientId, grantType: 'anonymous', pad: 'x'.repeat(120_000) }),
        413,
        'invalid_request',
        'PAYLOAD_TOO_LARGE',
      );
      expectOAuthError(
        await http().post('/oauth2/token').send({ clientId: 'a\u0000b', grantType: 'anonymous' }),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await http().post('/oauth2/token').send({
          clientId: spa.clientId,
          grantType: 'authorization_code',
          code: 'x\u0000',
          codeVerifier: 'y',
        }),
        400,
        'invalid_request',
      );
    });
  });

  describe('POST /auth/v2/redirect-sessions', () => {
    it('refuses plain PKCE, unregistered redirect URIs, foreign tokens and spent or expired sessionTokens', async () => {
      const visitor = await visitorToken(app.t, spa.clientId);
      const { challenge, verifier } = pkcePair();
      const post = (body: unknown, token = visitor) =>
        http()
          .post('/auth/v2/redirect-sessions')
          .set(bearer(token))
          .send(body as object);

      expectError(
        await post(authBody(spa, verifier, { codeChallengeMethod: 'plain' })),
        400,
        'INVALID_REQUEST',
      );
      expectError(await post(authBody(spa, 'short', {})), 400, 'INVALID_REQUEST');
      expectError(
        await post(authBody(spa, challenge, { redirectUri: 'https://evil.example.com/callback' })),
        400,
        'INVALID_REDIRECT_URI',
      );
      expectError(
        await post(authBody(spa, challenge, { redirectUri: 'https://shop.example.com/callback/extra' })),
        400,
        'INVALID_REDIRECT_URI',
      );
      expectError(
        await post(authBody(spa, challenge, { scope: 'offline_access admin' })),
        400,
        'INVALID_SCOPE',
      );
      const noOrigin = (await client({ allowedOrigins: [] })).client;
      const v2 = await visitorToken(app.t, noOrigin.clientId);
      expectError(
        await post(authBody(noOrigin, challenge, { responseMode: 'web_message' }), v2),
        400,
        'INVALID_REDIRECT_URI',
      );
      // A token of another client, an unknown client.
      expectError(await post(authBody(noOrigin, challenge)), 403, 'FORBIDDEN');
      expectError(
        await post(authBody({ ...spa, clientId: 'no-such-client' } as AuthClient, challenge)),
        401,
        'INVALID_CLIENT',
      );

      // The sessionToken: a refused request does not spend it; it works once; an expired one is refused.
      const st = await sessionToken(spa, visitor);
      expectError(
        await post(authBody(spa, challenge, { sessionToken: st, codeChallengeMethod: 'plain' })),
        400,
        'INVALID_REQUEST',
      );
      expect((await post(authBody(spa, challenge, { sessionToken: st }))).status).toBe(200);
      expectError(await post(authBody(spa, challenge, { sessionToken: st })), 400, 'INVALID_SESSION_TOKEN');
      expectError(
        await post(authBody(spa, challenge, { sessionToken: 'x'.repeat(43) })),
        400,
        'INVALID_SESSION_TOKEN',
      );
      const st2 = await sessionToken(spa, visitor);
      await sql(
        app.t,
        `UPDATE one_time_token SET expires_at = now() - interval '1 second' WHERE purpose = 'session-token' AND used_at IS NULL`,
      );
      expectError(await post(authBody(spa, challenge, { sessionToken: st2 })), 400, 'INVALID_SESSION_TOKEN');
      // Another client's sessionToken.
      const v3 = await visitorToken(app.t, noOrigin.clientId);
      const foreign = await sessionToken(noOrigin, v3);
      expectError(
        await post(authBody(spa, challenge, { sessionToken: foreign })),
        400,
        'INVALID_SESSION_TOKEN',
      );

      // Exactly one of auth and logout.
      expectError(await post({}), 422, 'VALIDATION_FAILED');
      expectError(
        await post({
          ...authBody(spa, challenge),
          logout: { clientId: spa.clientId, postFlowUrl: 'https://shop.example.com/' },
        }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await post({ auth: { ...authBody(spa, challenge).auth, responseMode: 'form_post' } }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await http().post('/auth/v2/redirect-sessions').send(authBody(spa, challenge)),
        401,
        'UNAUTHORIZED',
      );
    });

    it('fragment and web_message delivery', async () => {
      const f = await codeFor(spa, { responseMode: 'fragment' });
      const url = new URL(f.location);
      expect(url.search).toBe('');
      expect(redirectParams(f.location, 'fragment')).toMatchObject({
        code: expect.any(String),
        state: 'state-42',
      });

      const visitor = await visitorToken(app.t, spa.clientId);
      const { challenge } = pkcePair();
      const rs = await http()
        .post('/auth/v2/redirect-sessions')
        .set(bearer(visitor))
        .send(
          authBody(spa, challenge, {
            responseMode: 'web_message',
            sessionToken: await sessionToken(spa, visitor),
          }),
        );
      expect(rs.body.redirectSession).toEqual({
        id: expect.any(String),
        fullUrl: expect.stringMatching(new RegExp(`^${app.publicUrl}/oauth2/authorize\\?`)),
      });
      const page = await http().get(pathOf(rs.body.redirectSession.fullUrl));
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.headers['x-frame-options']).toBeUndefined();
      const csp = page.headers['content-security-policy'] as string;
      // Exactly the client's allowedOrigins may frame it: no other source, no wildcard.
      expect(cspDirective(page, 'frame-ancestors')).toEqual(['https://shop.example.com']);
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
      expect(page.text).toContain(`<script nonce="${nonce}">`);
      expect(page.text).toContain('"https://shop.example.com"');
      expect(page.text).not.toMatch(/postMessage\([^)]*['"]\*['"]/);
      expect(page.text).toMatch(/"code":"[\w-]+","state":"state-42"/);
      // The fullUrl works once.
      expectError(await http().get(pathOf(rs.body.redirectSession.fullUrl)), 400, 'INVALID_REDIRECT_SESSION');
      const browser = await http().get(pathOf(rs.body.redirectSession.fullUrl)).set('Accept', 'text/html');
      expect(browser.status).toBe(400);
      expect(browser.text).toContain('cannot continue');
    });

    it('a member locked after the login gets an access_denied error at the redirect URI, not a code', async () => {
      const email = `${unique('locked')}@example.com`;
      const { user } = await provisioning.users.createUser({
        email,
        password: STRONG_PASSWORD,
        tenantId: seed.tenant.id,
      });
      const visitor = await visitorToken(app.t, spa.clientId);
      const login = await http()
        .post('/auth/v2/login')
        .set(bearer(visitor))
        .send({ loginId: { email }, password: STRONG_PASSWORD });
      const { challenge } = pkcePair();
      const rs = await http()
        .post('/auth/v2/redirect-sessions')
        .set(bearer(visitor))
        .send(authBody(spa, challenge, { sessionToken: login.body.sessionToken }));
      await provisioning.users.updateUser(user.id, { status: 'LOCKED' });
      const res = await http().get(pathOf(rs.body.redirectSession.fullUrl));
      expect(res.status).toBe(302);
      expect(redirectParams(res.headers.location)).toMatchObject({
        error: 'access_denied',
        state: 'state-42',
      });
      expect(redirectParams(res.headers.location).code).toBeUndefined();
    });
  });

  describe('GET /oauth2/authorize without a sessionToken: the hosted login page', () => {
    async function loginPage(query: Record<string, string>) {
      const res = await http().get('/oauth2/authorize').query(query);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      const token = /name="redirectSession" value="([^"]+)"/.exec(res.text)![1]!;
      return { res, token };
    }

    const standard = (c: AuthClient, challenge: string, more: Record<string, string> = {}) => ({
      response_type: 'code',
      client_id: c.clientId,
      redirect_uri: 'https://shop.example.com/callback',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'xyz',
      scope: 'openid',
      nonce: 'abc',
      prompt: 'login',
      ...more,
    });

    it('standard query -> form -> 303 with the code; wrong password and refusals come back on the page', async () => {
      const { challenge, verifier } = pkcePair();
      const { res, token } = await loginPage(standard(spa, challenge));
      const csp = res.headers['content-security-policy'] as string;
      expect(cspDirective(res, 'frame-ancestors')).toEqual(["'none'"]);
      // Its one script (the passkey button) runs by nonce only: no inline handlers, no other source.
      expect(cspDirective(res, 'script-src')).toEqual([expect.stringMatching(/^'nonce-[A-Za-z0-9+/=]+'$/)]);
      expect(csp).toContain('form-action');
      expect(csp).toContain('https://shop.example.com');
      expect(res.headers['x-frame-options']).toBe('DENY');

      const wrong = await http()
        .post('/oauth2/authorize')
        .type('form')
        .send({ redirectSession: token, email: seed.email, password: 'Wrong-Password-1' });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('Invalid email or password');
      const missing = await http()
        .post('/oauth2/authorize')
        .type('form')
        .send({ redirectSession: token, email: seed.email });
      expect(missing.status).toBe(400);

      const ok = await http()
        .post('/oauth2/authorize')
        .type('form')
        .send({ redirectSession: token, email: seed.email, password: seed.password });
      expect(ok.status).toBe(303);
      const params = redirectParams(ok.headers.location);
      expect(ok.headers.location.startsWith('https://shop.example.com/callback?')).toBe(true);
      expect(params).toMatchObject({ state: 'xyz', iss: app.publicUrl });
      const tokens = await http().post('/oauth2/token').type('form').send({
        grant_type: 'authorization_code',
        client_id: spa.clientId,
        code: params.code,
        code_verifier: verifier,
        redirect_uri: 'https://shop.example.com/callback',
      });
      expect(tokens.status).toBe(200);
      expect(decodeClaims(tokens.body.id_token)).toMatchObject({ nonce: 'abc', sub: seed.user.id });
      // The session was spent by the successful login.
      const again = await http()
        .post('/oauth2/authorize')
        .type('form')
        .send({ redirectSession: token, email: seed.email, password: seed.password });
      expectError(again, 400, 'INVALID_REDIRECT_SESSION');
    });

    it('a member due for a second factor is refused on the page, never given a code', async () => {
      const mfa = (await client({ mfaRequired: true })).client;
      const { token } = await loginPage(standard(mfa, pkcePair().challenge));
      const res = await http()
        .post('/oauth2/authorize')
        .type('form')
        .send({ redirectSession: token, email: seed.email, password: seed.password });
      expect(res.status).toBe(401);
      expect(res.text).toContain('second factor');
      expect(res.headers.location).toBeUndefined();
      const codes = await sql<{ n: string }>(
        app.t,
        `SELECT count(*) AS n FROM auth_code WHERE client_id = $1`,
        [mfa.id],
      );
      expect(Number(codes[0]!.n)).toBe(0);
    });

    it('a member with an authenticator passes the code step: wrong codes come back, the right one gives the code', async () => {
      const member = await seedTenant(app.t, { client: { public: true } });
      await provisioning.memberships.addMembership(member.user.id, spa.tenantId, null, 'ACTIVE');
      const login = await http().post('/auth/login-token').send(loginBody(member));
      expect(login.status).toBe(200);
      const { secret, totp } = await enrollTotp(app.t, login.body.accessToken, { password: member.password });

      const { challenge, verifier } = pkcePair();
      const { token } = await loginPage(standard(spa, challenge));
      const step = await http()
        .post('/oauth2/authorize')
        .type('form')
        .send({ redirectSession: token, email: member.email, password: member.password });
      expect(step.status).toBe(200);
      expect(step.headers.location).toBeUndefined();
      const mfaToken = /name="mfaToken" value="([^"]+)"/.exec(step.text)![1]!;

      const wrong = await http()
        .post('/oauth2/authorize')
        .type('form')
        .send({ redirectSession: token, mfaToken, code: wrongCode(secret) });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('Invalid code');
      expect(wrong.headers.location).toBeUndefined();

      const { code: totpCode } = await totp.next(secret);
      const ok = await http()
        .post('/oauth2/authorize')
        .type('form')
        .send({ redirectSession: token, mfaToken, code: totpCode });
      expect(ok.status).toBe(303);
      const params = redirectParams(ok.headers.location);
      const tokens = await http().post('/oauth2/token').type('form').send({
        grant_type: 'authorization_code',
        client_id: spa.clientId,
        code: params.code,
        code_verifier: verifier,
        redirect_uri: 'https://shop.example.com/callback',
      });
      expect(tokens.status).toBe(200);
      const sid = decodeClaims(tokens.body.access_token).sid as string;
      const [session] = await sql<{ auth_method: string }>(
        app.t,
        'SELECT auth_method FROM session WHERE id = $1',
        [sid],
      );
      expect(session!.auth_method).toBe('TOTP');
      // The step token was spent with the code: it cannot finish another login.
      const replay = await http()
        .post('/oauth2/authorize')
        .type('form')
        .send({ redirectSession: token, mfaToken, code: totpCode });
      expectError(replay, 400, 'INVALID_REDIRECT_SESSION');
    });

    it('five wrong codes end the code step without a code', async () => {
      const member = await seedTenant(app.t, { client: { public: true } });
      await provisioning.memberships.addMembership(member.user.id, spa.tenantId, null, 'ACTIVE');
      const login = await http().post('/auth/login-token').send(loginBody(member));
      const { secret } = await enrollTotp(app.t, login.body.accessToken, { password: member.password });
      const { token } = await loginPage(standard(spa, pkcePair().challenge));
      const step = await http()
        .post('/oauth2/authorize')
        .type('form')
        .send({ redirectSession: token, email: member.email, password: member.password });
      const mfaToken = /name="mfaToken" value="([^"]+)"/.exec(step.text)![1]!;
      let last: Response | undefined;
      for (let i = 0; i < 5; i++) {
        last = await http()
          .post('/oauth2/authorize')
          .type('form')
          .send({ redirectSession: token, mfaToken, code: wrongCode(secret) });
        expect(last.headers.location).toBeUndefined();
      }
      expect(last!.text).toContain('expired');
      const codes = await sql<{ n: string }>(
        app.t,
        'SELECT count(*) AS n FROM auth_code WHERE user_id = $1',
        [member.user.id],
      );
      expect(Number(codes[0]!.n)).toBe(0);
    });

    it('web_message without a signed-in session posts login_required, never a form a framer could overlay', async () => {
      // A redirect session without sessionToken, in web_message mode.
      const visitor = await visitorToken(app.t, spa.clientId);
      const { challenge } = pkcePair();
      const rs = await http()
        .post('/auth/v2/redirect-sessions')
        .set(bearer(visitor))
        .send(authBody(spa, challenge, { responseMode: 'web_message', state: 'st-rs' }));
      const res = await http().get(pathOf(rs.body.redirectSession.fullUrl));
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('<form');
      expect(res.text).not.toContain('name="password"');
      expect(res.text).toContain('"error":"login_required","state":"st-rs"');
      expect(res.text).toContain('"https://shop.example.com"');
      expect(cspDirective(res, 'frame-ancestors')).toEqual(['https://shop.example.com']);
      // The session is over: it cannot be opened again for a form either.
      expectError(await http().get(pathOf(rs.body.redirectSession.fullUrl)), 400, 'INVALID_REDIRECT_SESSION');

      // The standard query in web_message mode: the same answer, and no redirect session left behind.
      const before = await sql<{ n: number }>(
        app.t,
        `SELECT count(*)::int AS n FROM one_time_token WHERE purpose = 'redirect-session'`,
      );
      const std = await http().get('/oauth2/authorize').query({
        response_type: 'code',
        client_id: spa.clientId,
        redirect_uri: 'https://shop.example.com/callback',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'st-std',
        response_mode: 'web_message',
      });
      expect(std.status).toBe(200);
      expect(std.text).not.toContain('<form');
      expect(std.text).toContain('"error":"login_required","state":"st-std"');
      expect(cspDirective(std, 'frame-ancestors')).toEqual(['https://shop.example.com']);
      const after = await sql<{ n: number }>(
        app.t,
        `SELECT count(*)::int AS n FROM one_time_token WHERE purpose = 'redirect-session'`,
      );
      expect(after[0]!.n).toBe(before[0]!.n);

      // A web_message session's form, posted without ever being shown: the answers that are forms
      // (a refusal, the second-factor step) are never framable either.
      const rs2 = await http()
        .post('/auth/v2/redirect-sessions')
        .set(bearer(visitor))
        .send(authBody(spa, challenge, { responseMode: 'web_message' }));
      const token = new URL(rs2.body.redirectSession.fullUrl).searchParams.get('redirectSession')!;
      const wrong = await http()
        .post('/oauth2/authorize')
        .type('form')
        .send({ redirectSession: token, email: seed.email, password: 'Wrong-Password-1' });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('name="password"');
      expect(cspDirective(wrong, 'frame-ancestors')).toEqual(["'none'"]);
      expect(wrong.headers['x-frame-options']).toBe('DENY');
      const member = await seedTenant(app.t, { client: { public: true } });
      await provisioning.memberships.addMembership(member.user.id, spa.tenantId, null, 'ACTIVE');
      const signedIn = await http().post('/auth/login-token').send(loginBody(member));
      await enrollTotp(app.t, signedIn.body.accessToken, { password: member.password });
      const mfaStep = await http()
        .post('/oauth2/authorize')
        .type('form')
        .send({ redirectSession: token, email: member.email, password: member.password });
      expect(mfaStep.status).toBe(200);
      expect(mfaStep.text).toContain('name="mfaToken"');
      expect(cspDirective(mfaStep, 'frame-ancestors')).toEqual(["'none'"]);
      expect(mfaStep.headers['x-frame-options']).toBe('DENY');
    });

    it('refuses a bad standard query directly while its client or redirect URI is unknown', async () => {
      const { challenge } = pkcePair();
      expectError(
        await http()
          .get('/oauth2/authorize')
          .query(standard({ ...spa, clientId: 'nope' } as AuthClient, challenge)),
        401,
        'INVALID_CLIENT',
      );
      expectError(
        await http()
          .get('/oauth2/authorize')
          .query(standard(spa, challenge, { redirect_uri: 'https://evil.example.com/' })),
        400,
        'INVALID_REDIRECT_URI',
      );
      // OpenID Connect requires redirect_uri: without one there is nowhere safe to send an error.
      const { redirect_uri: _r, ...noRedirect } = standard(spa, challenge);
      expectError(await http().get('/oauth2/authorize').query(noRedirect), 400, 'INVALID_REQUEST');
      // (Plain or missing PKCE, response_type=token, an unknown response_mode: the client and its
      // redirect URI are known, so they go there; see oidc-authorize-errors.e2e-spec.ts.)
      expectError(await http().get('/oauth2/authorize'), 400, 'INVALID_REQUEST');
      expectError(
        await http().get('/oauth2/authorize').query('client_id=a&client_id=b'),
        400,
        'INVALID_REQUEST',
      );
      expectError(
        await http().get('/oauth2/authorize').query({ redirectSession: 'nope' }),
        400,
        'INVALID_REDIRECT_SESSION',
      );
      const page = await http()
        .get('/oauth2/authorize')
        .query(standard(spa, challenge, { redirect_uri: 'https://evil.example.com/' }))
        .set('Accept', 'text/html');
      expect(page.status).toBe(400);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.headers.location).toBeUndefined();
    });
  });

  describe('GET /oauth2/logout', () => {
    it('ends the session of the member and redirects to the registered postFlowUrl only', async () => {
      const tokens = await memberTokens(spa);
      const post = (logout: Record<string, unknown>, token = tokens.access_token) =>
        http().post('/auth/v2/redirect-sessions').set(bearer(token)).send({ logout });
      expectError(
        await post({ clientId: spa.clientId, postFlowUrl: 'https://evil.example.com/' }),
        400,
        'INVALID_REDIRECT_URI',
      );
      const visitor = await visitorToken(app.t, spa.clientId);
      expectError(
        await post({ clientId: spa.clientId, postFlowUrl: 'https://shop.example.com/' }, visitor),
        401,
        'UNAUTHORIZED',
      );

      const rs = await post({ clientId: spa.clientId, postFlowUrl: 'https://shop.example.com/' });
      expect(rs.status).toBe(200);
      expect(rs.body.redirectSession.fullUrl).toMatch(new RegExp(`^${app.publicUrl}/oauth2/logout\\?`));
      // Still logged in until the browser opens the URL.
      expect((await http().get('/auth/me').set(bearer(tokens.access_token))).status).toBe(200);
      const res = await http().get(pathOf(rs.body.redirectSession.fullUrl));
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('https://shop.example.com/');
      expectError(await http().get('/auth/me').set(bearer(tokens.access_token)), 401, 'UNAUTHORIZED');
      expectOAuthError(
        await http()
          .post('/oauth2/token')
          .send({ clientId: spa.clientId, grantType: 'refresh_token', refreshToken: tokens.refresh_token }),
        400,
        'invalid_grant',
      );
      expectError(await http().get(pathOf(rs.body.redirectSession.fullUrl)), 400, 'INVALID_REDIRECT_SESSION');
      expectError(await http().get('/oauth2/logout'), 400, 'INVALID_REQUEST');
    });

    it('OpenID Connect RP-initiated logout with id_token_hint', async () => {
      const { verifier, params } = await codeFor(spa, { scope: 'openid' });
      const t = await http().post('/oauth2/token').send({
        clientId: spa.clientId,
        grantType: 'authorization_code',
        code: params.code,
        codeVerifier: verifier,
      });
      expectError(
        await http()
          .get('/oauth2/logout')
          .query({ id_token_hint: t.body.id_token, post_logout_redirect_uri: 'https://evil.example.com/' }),
        400,
        'INVALID_REDIRECT_URI',
      );
      expectError(
        await http().get('/oauth2/logout').query({ id_token_hint: 'a.b.c' }),
        400,
        'INVALID_REQUEST',
      );
      const res = await http().get('/oauth2/logout').query({
        id_token_hint: t.body.id_token,
        post_logout_redirect_uri: 'https://shop.example.com/',
        state: 's1',
      });
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('https://shop.example.com/?state=s1');
      expectError(await http().get('/auth/me').set(bearer(t.body.access_token)), 401, 'UNAUTHORIZED');
    });
  });

  describe('POST /oauth2/revoke, GET /oauth2/userinfo, discovery', () => {
    it('revokes an access token or a refresh token family; 200 for any token', async () => {
      const t1 = await memberTokens(spa);
      const other = (await client()).client;
      // Another client's token: 200, nothing revoked.
      expect(
        (await http().post('/oauth2/revoke').send({ token: t1.access_token, client_id: other.clientId }))
          .status,
      ).toBe(200);
      expect((await http().get('/auth/me').set(bearer(t1.access_token))).status).toBe(200);
      const revoked = await http()
        .post('/oauth2/revoke')
        .type('form')
        .send({ token: t1.access_token, token_type_hint: 'access_token', client_id: spa.clientId });
      expect(revoked.status).toBe(200);
      expectError(await http().get('/auth/me').set(bearer(t1.access_token)), 401, 'UNAUTHORIZED');
      // The refresh token still works (only the access token was revoked).
      const t2 = await http()
        .post('/oauth2/token')
        .send({ clientId: spa.clientId, grantType: 'refresh_token', refreshToken: t1.refresh_token });
      expect(t2.status).toBe(200);
      expect(
        (await http().post('/oauth2/revoke').send({ token: t2.body.refresh_token, clientId: spa.clientId }))
          .status,
      ).toBe(200);
      expectError(await http().get('/auth/me').set(bearer(t2.body.access_token)), 401, 'UNAUTHORIZED');
      expectOAuthError(
        await http()
          .post('/oauth2/token')
          .send({ clientId: spa.clientId, grantType: 'refresh_token', refreshToken: t2.body.refresh_token }),
        400,
        'invalid_grant',
      );
      for (const token of ['unknown', 'x'.repeat(43), 'a.b.c', t2.body.refresh_token]) {
        const res = await http().post('/oauth2/revoke').send({ token, client_id: spa.clientId });
        expect(res.status).toBe(200);
      }
      expectOAuthError(
        await http().post('/oauth2/revoke').send({ client_id: spa.clientId }),
        400,
        'invalid_request',
      );
      expectOAuthError(await http().post('/oauth2/revoke').send({ token: 'x' }), 400, 'invalid_request');
      expectOAuthError(
        await http().post('/oauth2/revoke').send({ token: 'x', client_id: 'nope' }),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await http().post('/oauth2/revoke').set('Content-Type', 'application/json').send('[1'),
        400,
        'invalid_request',
      );
    });

    it('userinfo answers the OpenID claims of the member', async () => {
      const t = await memberTokens(spa);
      // memberTokens asks offline_access only: not an OpenID Connect grant.
      expectError(await http().get('/oauth2/userinfo').set(bearer(t.access_token)), 403, 'FORBIDDEN');
      const { verifier, params } = await codeFor(spa, { scope: 'openid email' });
      const tokens = await http().post('/oauth2/token').send({
        clientId: spa.clientId,
        grantType: 'authorization_code',
        code: params.code,
        codeVerifier: verifier,
      });
      const res = await http().get('/oauth2/userinfo').set(bearer(tokens.body.access_token));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ sub: seed.user.id, email: seed.email, email_verified: true });
      expectError(await http().get('/oauth2/userinfo'), 401, 'UNAUTHORIZED');
    });

    it('the discovery document describes the endpoints', async () => {
      const res = await http().get('/.well-known/openid-configuration');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        issuer: app.publicUrl,
        authorization_endpoint: `${app.publicUrl}/oauth2/authorize`,
        token_endpoint: `${app.publicUrl}/oauth2/token`,
        userinfo_endpoint: `${app.publicUrl}/oauth2/userinfo`,
        jwks_uri: `${app.publicUrl}/.well-known/jwks.json`,
        revocation_endpoint: `${app.publicUrl}/oauth2/revoke`,
        end_session_endpoint: `${app.publicUrl}/oauth2/logout`,
        code_challenge_methods_supported: ['S256'],
        response_modes_supported: expect.arrayContaining(['query', 'fragment', 'web_message']),
        grant_types_supported: expect.arrayContaining(['authorization_code', 'refresh_token']),
      });
    });
  });
});
