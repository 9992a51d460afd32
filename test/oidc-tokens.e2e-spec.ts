import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { AccessTokensService } from '../src/tokens/access-tokens.service.js';
import { signJwt } from '../src/tokens/keys/jwt.js';
import { SigningKeysService } from '../src/tokens/keys/signing-keys.service.js';
import { decodeClaims, expectError } from './support/assertions.js';
import { authorizeUrl, HttpBrowser, paramsOf, pkce } from './support/browser.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { bearer, createPublicApp, PublicApp } from './support/headless.js';
import { TEST_ADMIN_KEY } from './support/test-app.js';
import { until } from './support/wait.js';

const REDIRECT = 'https://rp.example.com/cb';
const ADMIN = `Bearer ${TEST_ADMIN_KEY}`;

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token?: string;
  scope?: string;
}

const leftHalf = (token: string, hash: 'sha256' | 'sha512') => {
  const d = createHash(hash).update(token).digest();
  return d.subarray(0, d.length / 2).toString('base64url');
};

/**
 * OpenID Connect conformance of the tokens (API.md section 7): ID tokens (RS256 by default or the
 * client's algorithm, at_hash, scoped claims), RFC 9068 access tokens that never pass for ID tokens
 * (nor the other way round), userinfo, refresh scopes, and RP-initiated logout.
 */
describe('OpenID Connect conformance: ID tokens, access tokens, userinfo, refresh, logout', () => {
  let app: PublicApp;
  let seed: Seed;

  beforeAll(async () => {
    app = await createPublicApp();
    seed = await seedTenant(app.t, {
      client: { public: true, redirectUrls: [REDIRECT, 'https://rp.example.com/bye'] },
      user: { firstName: 'Ada', lastName: 'Lovelace' },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  const jwks = async () =>
    createLocalJWKSet((await app.t.http.get('/.well-known/jwks.json')).body as JSONWebKeySet);

  /** Tokens of the standard flow for `s` through `clientId` (signed in on the hosted page). */
  async function tokensFor(scope: string, clientId = seed.client.clientId, s: Seed = seed): Promise<Tokens> {
    const { verifier, challenge } = pkce();
    const browser = new HttpBrowser();
    const callback = await browser.signIn(
      authorizeUrl(app.publicUrl, { client_id: clientId, redirect_uri: REDIRECT, challenge, scope }),
      s.email,
      s.password,
    );
    const res = await app.t.http
      .post('/oauth2/token')
      .type('form')
      .send({
        grant_type: 'authorization_code',
        client_id: clientId,
        code: paramsOf(callback).code!,
        code_verifier: verifier,
      });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Tokens;
  }

  it('ID tokens: RS256 by default with a key the JWKS publishes beside the access key, at_hash, claims by scope', async () => {
    const discovery = (await app.t.http.get('/.well-known/openid-configuration')).body;
    expect(discovery.id_token_signing_alg_values_supported).toEqual(
      expect.arrayContaining(['RS256', 'ES256']),
    );
    expect(discovery.prompt_values_supported).toEqual(expect.arrayContaining(['none', 'login']));
    const keys = (await app.t.http.get('/.well-known/jwks.json')).body.keys as Record<string, string>[];
    expect(keys.some((k) => k.alg === 'RS256' && k.kty === 'RSA')).toBe(true);
    expect(keys.some((k) => k.alg === 'ES256' && k.kty === 'EC')).toBe(true);

    const plain = await tokensFor('openid');
    expect(decodeProtectedHeader(plain.id_token!)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(decodeProtectedHeader(plain.access_token)).toMatchObject({ alg: 'ES256' });
    const { payload } = await jwtVerify(plain.id_token!, await jwks(), {
      issuer: app.publicUrl,
      audience: seed.client.clientId,
      algorithms: ['RS256'],
    });
    expect(payload).toMatchObject({
      sub: seed.user.id,
      azp: seed.client.clientId,
      auth_time: expect.any(Number),
      sid: decodeClaims(plain.access_token).sid,
      at_hash: leftHalf(plain.access_token, 'sha256'),
    });
    for (const claim of ['email', 'email_verified', 'name', 'given_name', 'family_name']) {
      expect(payload[claim], `${claim} without its scope`).toBeUndefined();
    }
    const email = decodeClaims((await tokensFor('openid email')).id_token!);
    expect(email).toMatchObject({ email: seed.email, email_verified: true });
    expect(email.name).toBeUndefined();
    const profile = decodeClaims((await tokensFor('openid profile')).id_token!);
    expect(profile).toMatchObject({ name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace' });
    expect(profile.email).toBeUndefined();
    // A user without names: the claims are left out, never null.
    const nameless = await seedTenant(app.t, { client: { public: true, redirectUrls: [REDIRECT] } });
    const none = decodeClaims(
      (await tokensFor('openid profile', nameless.client.clientId, nameless)).id_token!,
    );
    expect(Object.values(none)).not.toContain(null);
    expect('name' in none).toBe(false);
  });

  it('a client chooses ES256 or EdDSA for its ID tokens (POST and PATCH /admin/clients, the CLI); other values are 422', async () => {
    const created = await app.t.http
      .post('/admin/clients')
      .set('Authorization', ADMIN)
      .send({
        clientId: unique('es'),
        name: 'ES256 app',
        tenantId: seed.tenant.id,
        redirectUrls: [REDIRECT],
        public: true,
        idTokenSignedResponseAlg: 'ES256',
      });
    expect(created.status).toBe(201);
    expect(created.body.idTokenSignedResponseAlg).toBe('ES256');
    const id = created.body.clientId as string;
    const es = await tokensFor('openid', id);
    expect(decodeProtectedHeader(es.id_token!).alg).toBe('ES256');
    await jwtVerify(es.id_token!, await jwks(), { audience: id, algorithms: ['ES256'] });

    const patched = await app.t.http
      .patch(`/admin/clients/${id}`)
      .set('Authorization', ADMIN)
      .send({ idTokenSignedResponseAlg: 'EdDSA' });
    expect(patched.status).toBe(200);
    const ed = await tokensFor('openid', id);
    expect(decodeProtectedHeader(ed.id_token!).alg).toBe('EdDSA');
    const { payload } = await jwtVerify(ed.id_token!, await jwks(), { audience: id, algorithms: ['EdDSA'] });
    // Ed25519's hash is SHA-512 (OpenID Connect at_hash uses the ID token algorithm's hash).
    expect(payload.at_hash).toBe(leftHalf(ed.access_token, 'sha512'));

    for (const bad of ['HS256', 'none', 'rs256', null]) {
      expectError(
        await app.t.http
          .patch(`/admin/clients/${id}`)
          .set('Authorization', ADMIN)
          .send({ idTokenSignedResponseAlg: bad }),
        422,
        'VALIDATION_FAILED',
      );
    }
    let out = '';
    const code = await runCli(
      ['clients:update', '--client', id, '--id-token-alg', 'RS256'],
      { out: (s) => (out += s), err: (s) => (out += s) },
      async () => app.t.app,
    );
    expect(code, out).toBe(0);
    expect(JSON.parse(out).idTokenSignedResponseAlg).toBe('RS256');
    expect(decodeProtectedHeader((await tokensFor('openid', id)).id_token!).alg).toBe('RS256');
  });

  it('access tokens are typed at+jwt (RFC 9068) and never pass as ID tokens, nor ID tokens as access tokens', async () => {
    const t = await tokensFor('openid');
    expect(decodeProtectedHeader(t.access_token).typ).toBe('at+jwt');
    const { payload } = await jwtVerify(t.access_token, await jwks(), {
      typ: 'at+jwt',
      issuer: app.publicUrl,
    });
    expect(payload).toMatchObject({
      client_id: seed.client.clientId,
      sub: seed.user.id,
      jti: expect.any(String),
    });
    // A stock ID-token check (typ JWT, the client's RS256) refuses the access token...
    await expect(
      jwtVerify(t.access_token, await jwks(), { typ: 'JWT', algorithms: ['RS256'] }),
    ).rejects.toThrow();
    // ... and the service's own guards refuse the ID token.
    expect((await app.t.http.get('/auth/me').set(bearer(t.access_token))).status).toBe(200);
    expectError(await app.t.http.get('/auth/me').set(bearer(t.id_token!)), 401, 'UNAUTHORIZED');
    expectError(await app.t.http.get('/oauth2/userinfo').set(bearer(t.id_token!)), 401, 'UNAUTHORIZED');
    // Even with access-token claims: an ID-token key never signs for the guards, and an access
    // token must say at+jwt.
    const keys = app.t.app.get(SigningKeysService);
    const claims = decodeClaims(t.access_token);
    const forged = [
      signJwt(claims, keys.idTokenSigner('RS256'), 'at+jwt'),
      signJwt(claims, keys.idTokenSigner('ES256'), 'at+jwt'),
      signJwt(claims, keys.accessSigner(), 'JWT'),
    ];
    for (const token of forged)
      expectError(await app.t.http.get('/auth/me').set(bearer(token)), 401, 'UNAUTHORIZED');
    // And the logout hint wants an ID token: the access token is refused (API.md section 12).
    expectError(
      await app.t.http.get('/oauth2/logout').query({ id_token_hint: t.access_token }),
      400,
      'INVALID_REQUEST',
    );
  });

  it('userinfo: GET and POST (header or form body), no-store, only for an openid grant, claims by scope without nulls', async () => {
    const t = await tokensFor('openid email offline_access');
    const expected = { sub: seed.user.id, email: seed.email, email_verified: true };
    const get = await app.t.http.get('/oauth2/userinfo').set(bearer(t.access_token));
    expect(get.status).toBe(200);
    expect(get.body).toEqual(expected);
    expect(get.headers['cache-control']).toContain('no-store');
    const postHeader = await app.t.http.post('/oauth2/userinfo').set(bearer(t.access_token));
    expect(postHeader.status).toBe(200);
    expect(postHeader.body).toEqual(expected);
    expect(postHeader.headers['cache-control']).toContain('no-store');
    const postForm = await app.t.http
      .post('/oauth2/userinfo')
      .type('form')
      .send({ access_token: t.access_token });
    expect(postForm.status).toBe(200);
    expect(postForm.body).toEqual(expected);
    // Both ways at once: 400.
    expectError(
      await app.t.http
        .post('/oauth2/userinfo')
        .set(bearer(t.access_token))
        .type('form')
        .send({ access_token: t.access_token }),
      400,
      'INVALID_REQUEST',
    );
    const profile = await tokensFor('openid profile');
    expect((await app.t.http.get('/oauth2/userinfo').set(bearer(profile.access_token))).body).toEqual({
      sub: seed.user.id,
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
    });
    // Not granted openid: 403 with the RFC 6750 challenge.
    const oauthOnly = await tokensFor('offline_access');
    const refused = await app.t.http.get('/oauth2/userinfo').set(bearer(oauthOnly.access_token));
    expectError(refused, 403, 'FORBIDDEN');
    expect(refused.headers['www-authenticate']).toMatch(/insufficient_scope/);
    const password = await app.t.http
      .post('/auth/login-token')
      .send({ client_id: seed.client.clientId, username: seed.email, password: seed.password });
    expectError(
      await app.t.http.get('/oauth2/userinfo').set(bearer(password.body.accessToken)),
      403,
      'FORBIDDEN',
    );
    const invalid = await app.t.http.post('/oauth2/userinfo').set(bearer('x.y.z'));
    expectError(invalid, 401, 'UNAUTHORIZED');
    expect(invalid.headers['www-authenticate']).toMatch(/invalid_token/);
  });

  it('a refresh may narrow the granted scopes, never widen them (400 invalid_scope; the refresh token stays good)', async () => {
    const t = await tokensFor('openid email offline_access');
    const refresh = (refreshToken: string, scope?: string) =>
      app.t.http
        .post('/oauth2/token')
        .type('form')
        .send({
          grant_type: 'refresh_token',
          client_id: seed.client.clientId,
          refresh_token: refreshToken,
          ...(scope === undefined ? {} : { scope }),
        });
    for (const wider of ['openid email profile', 'openid bogus', 'profile']) {
      const res = await refresh(t.refresh_token, wider);
      expect(res.status, wider).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_scope', code: 'INVALID_SCOPE' });
    }
    // Refused without being spent: the same refresh token still works, and keeps the full grant.
    const same = await refresh(t.refresh_token);
    expect(same.status).toBe(200);
    expect(decodeClaims(same.body.access_token).scope).toBe('openid email offline_access');
    const narrowed = await refresh(same.body.refresh_token, 'email');
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('email');
    expectError(
      await app.t.http.get('/oauth2/userinfo').set(bearer(narrowed.body.access_token)),
      403,
      'FORBIDDEN',
    );
    // Narrowing is for that access token only: the grant is unchanged.
    const again = await refresh(narrowed.body.refresh_token, 'openid email');
    expect(again.status).toBe(200);
    expect((await app.t.http.get('/oauth2/userinfo').set(bearer(again.body.access_token))).status).toBe(200);
  });

  it('RP-initiated logout: a valid, unexpired ID token of the client ends the session at once; otherwise the user confirms', async () => {
    const live = (t: Tokens) => app.t.http.get('/auth/me').set(bearer(t.access_token));
    // An expired hint: a confirmation page; nothing ends, a cross-site post cannot confirm.
    const t = await tokensFor('openid');
    const claims = decodeClaims(t.id_token!);
    const expired = app.t.app.get(AccessTokensService).signIdToken(
      {
        sub: seed.user.id,
        aud: seed.client.clientId,
        alg: 'RS256',
        sid: claims.sid as string,
        authTime: 1,
      },
      -60,
    );
    const browser = new HttpBrowser();
    const logoutUrl = new URL(`${app.publicUrl}/oauth2/logout`);
    logoutUrl.search = new URLSearchParams({
      id_token_hint: expired,
      post_logout_redirect_uri: 'https://rp.example.com/bye',
      state: 'bye-1',
    }).toString();
    const page = await browser.get(logoutUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Sign out?');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect((await live(t)).status).toBe(200);
    const { action, fields } = HttpBrowser.form(html);
    const crossSite = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    expect(crossSite.status).toBe(400);
    expect((await live(t)).status).toBe(200);
    const confirmed = await browser.post(action, fields);
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('https://rp.example.com/bye?state=bye-1');
    await until(async () => (await live(t)).status === 401, 1000);
    // The confirmation works once.
    expect((await browser.post(action, fields)).status).toBe(400);

    // A valid, unexpired hint: at once.
    const u = await tokensFor('openid');
    const now = await fetch(
      `${app.publicUrl}/oauth2/logout?${new URLSearchParams({
        id_token_hint: u.id_token!,
        post_logout_redirect_uri: 'https://rp.example.com/bye',
      })}`,
      { redirect: 'manual' },
    );
    expect(now.status).toBe(302);
    expect(now.headers.get('location')).toBe('https://rp.example.com/bye');
    await until(async () => (await live(u)).status === 401, 1000);
  });
});
