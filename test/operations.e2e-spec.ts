import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createTestApp, TestApp } from './support/test-app.js';
import { loginBody, seedTenant } from './support/fixtures.js';
import { expectError, expectTokenResponse } from './support/assertions.js';

describe('operations and discovery', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL: 'https://auth.example.com' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('GET /health answers 200 and /health/ready reports the database', async () => {
    const live = await t.http.get('/health');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', database: 'ok', redis: 'not configured' });
  });

  it('publishes /.well-known/openid-configuration on JWT_ISSUER and PUBLIC_URL', async () => {
    const res = await t.http.get('/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      issuer: 'https://auth.example.com',
      jwks_uri: 'https://auth.example.com/.well-known/jwks.json',
      token_endpoint: 'https://auth.example.com/oauth2/token',
      code_challenge_methods_supported: ['S256'],
    });
  });

  it('serves Swagger UI at /api and the OpenAPI JSON at /api-json with every route', async () => {
    const ui = await t.http.get('/api');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
    const doc = await t.http.get('/api-json');
    expect(doc.status).toBe(200);
    for (const path of [
      '/auth/login',
      '/auth/login-token',
      '/auth/token',
      '/auth/token-refresh',
      '/auth/switch-token',
      '/auth/me',
      '/auth/change-password',
      '/logout',
      '/health',
      '/health/ready',
      '/.well-known/jwks.json',
    ]) {
      expect(doc.body.paths).toHaveProperty([path]);
    }
  });

  it('sends security headers with frame-ancestors none, and a contract 404 body', async () => {
    const res = await t.http.get('/no-such-route');
    expectError(res, 404, 'NOT_FOUND');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('allows CORS only from a client allowedOrigins', async () => {
    await seedTenant(t, { client: { allowedOrigins: ['https://spa.example.org'] } });
    const allowed = await t.http
      .options('/auth/login-token')
      .set('Origin', 'https://spa.example.org')
      .set('Access-Control-Request-Method', 'POST');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://spa.example.org');
    const denied = await t.http
      .options('/auth/login-token')
      .set('Origin', 'https://evil.example.net')
      .set('Access-Control-Request-Method', 'POST');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe.each(['ES256', 'EdDSA', 'RS256'])('access tokens signed with %s', (alg) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ JWT_ALGORITHM: alg, JWT_ISSUER: 'urn:test:issuer' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('verify with an independent JOSE library against /.well-known/jwks.json', async () => {
    const seed = await seedTenant(t);
    const tokens = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
    const jwks = createRemoteJWKSet(new URL(`${t.baseUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(tokens.accessToken, jwks, {
      issuer: 'urn:test:issuer',
      audience: seed.client.clientId,
    });
    expect(protectedHeader.alg).toBe(alg);
    expect(payload).toMatchObject({ sub: seed.user.id, tid: seed.tenant.id, cid: seed.client.clientId });
    const keys = (await t.http.get('/.well-known/jwks.json')).body.keys;
    for (const key of keys) expect(Object.keys(key)).not.toEqual(expect.arrayContaining(['d']));
  });
});
