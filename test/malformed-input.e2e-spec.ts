import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { expectError, expectTokenResponse } from './support/assertions.js';

/**
 * Every JSON route of the spine, fed what a careless or hostile client sends: each answer is the
 * contract's 4xx body, never a 5xx, and nothing changes.
 */
describe('malformed input on every spine route', () => {
  let t: TestApp;
  let seed: Seed;
  let tokens: { accessToken: string; refreshToken: string };

  beforeAll(async () => {
    t = await createTestApp();
    seed = await seedTenant(t);
    tokens = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
  });
  afterAll(async () => {
    await t?.close();
  });

  const routes: {
    method: 'post' | 'patch';
    path: string;
    auth: boolean;
    valid: () => Record<string, unknown>;
  }[] = [
    { method: 'post', path: '/auth/login', auth: false, valid: () => loginBody(seed) },
    { method: 'post', path: '/auth/login-token', auth: false, valid: () => loginBody(seed) },
    {
      method: 'post',
      path: '/auth/token',
      auth: false,
      valid: () => ({ code: 'c'.repeat(43), clientId: seed.client.clientId }),
    },
    {
      method: 'post',
      path: '/auth/token-refresh',
      auth: false,
      valid: () => ({ refreshToken: tokens.refreshToken }),
    },
    {
      method: 'post',
      path: '/auth/switch-token',
      auth: true,
      valid: () => ({ refreshToken: tokens.refreshToken, tenantId: seed.tenant.id }),
    },
    {
      method: 'patch',
      path: '/auth/change-password',
      auth: true,
      valid: () => ({
        refreshToken: tokens.refreshToken,
        username: seed.email,
        password: 'Brand-New-Password-77',
        oldPassword: seed.password,
      }),
    },
    { method: 'post', path: '/logout', auth: true, valid: () => ({ refreshToken: tokens.refreshToken }) },
  ];

  const send = (r: (typeof routes)[number]) => {
    const req = t.http[r.method](r.path);
    return r.auth ? req.set('Authorization', `Bearer ${tokens.accessToken}`) : req;
  };

  for (const r of routes) {
    describe(`${r.method.toUpperCase()} ${r.path}`, () => {
      it('bad JSON and a wrong content type: 400 BAD_REQUEST', async () => {
        expectError(await send(r).set('Content-Type', 'application/json').send('{"a":'), 400, 'BAD_REQUEST');
        expectError(
          await send(r).set('Content-Type', 'application/json').send("{'single': 'quotes'}"),
          400,
          'BAD_REQUEST',
        );
        expectError(
          await send(r).set('Content-Type', 'text/plain').send(JSON.stringify(r.valid())),
          400,
          'BAD_REQUEST',
        );
        expectError(await send(r).set('Content-Type', 'application/xml').send('<a/>'), 400, 'BAD_REQUEST');
        expectError(
          await send(r)
            .set('Content-Type', 'application/json; charset=latin1')
            .send(JSON.stringify(r.valid())),
          400,
          'BAD_REQUEST',
        );
        expectError(
          await send(r)
            .set('Content-Type', 'application/json')
            .set('Content-Encoding', 'xyz')
            .send(JSON.stringify(r.valid())),
          400,
          'BAD_REQUEST',
        );
      });

      it('a 1 MB body: 413 PAYLOAD_TOO_LARGE', async () => {
        expectError(
          await send(r).send({ ...r.valid(), pad: 'x'.repeat(1024 * 1024) }),
          413,
          'PAYLOAD_TOO_LARGE',
        );
      });

      it('no body, an empty object, an array, a scalar: 422 or 400', async () => {
        expectError(await send(r), 422, 'VALIDATION_FAILED');
        expectError(await send(r).send({}), 422, 'VALIDATION_FAILED');
        expectError(await send(r).send([r.valid()]), 422, 'VALIDATION_FAILED');
        const scalar = await send(r).set('Content-Type', 'application/json').send('42');
        expect([400, 422]).toContain(scalar.status);
      });

      it('an unknown field: 422 naming it', async () => {
        const res = await send(r).send({ ...r.valid(), __proto__: { polluted: true }, unexpected: 'x' });
        expectError(res, 422, 'VALIDATION_FAILED');
        expect(res.body.details).toEqual(
          expect.arrayContaining([expect.objectContaining({ field: 'unexpected' })]),
        );
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });

      it('every field with a wrong type: 422', async () => {
        for (const key of Object.keys(r.valid())) {
          for (const wrong of [123, true, null, { nested: 'object' }, ['array']]) {
            const res = await send(r).send({ ...r.valid(), [key]: wrong });
            expect(res.status, `${key}=${JSON.stringify(wrong)}`).toBeGreaterThanOrEqual(400);
            expect(res.status, `${key}=${JSON.stringify(wrong)}`).toBeLessThan(500);
          }
        }
      });
    });
  }

  it('the session used throughout still works: nothing above changed state', async () => {
    expect((await t.http.get('/auth/me').set('Authorization', `Bearer ${tokens.accessToken}`)).status).toBe(
      200,
    );
    expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
  });
});
