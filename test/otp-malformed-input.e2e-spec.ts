import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed } from './support/fixtures.js';
import { bearer, expectGrantTokens, GrantTokens, passwordGrant } from './support/mfa.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';

/**
 * Every route of API.md sections 4 and 8, fed what a careless or hostile client sends: each answer
 * is the contract's 4xx body, never a 5xx, and nothing changes.
 */
describe('malformed input on the OTP, MFA and section 8 routes', () => {
  let t: TestApp;
  let seed: Seed;
  let session: GrantTokens;
  let pendingMethodId: string;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_ADDRESS: '100000' });
    seed = await seedTenant(t, { client: { public: true } });
    session = expectGrantTokens(await passwordGrant(t, seed));
    const setup = await t.http
      .post('/auth/v2/mfa/methods/totp')
      .set(bearer(session.accessToken))
      .send({ password: seed.password });
    pendingMethodId = setup.body.methodId;
  });
  afterAll(async () => {
    await t?.close();
  });

  const routes: {
    method: 'post' | 'delete';
    /** `{id}` stands for the pending authenticator's id. */
    path: string;
    auth: boolean;
    /** The route accepts an empty object (all fields optional). */
    emptyOk?: boolean;
    valid: () => Record<string, unknown>;
  }[] = [
    {
      method: 'post',
      path: '/auth/send-otp',
      auth: false,
      valid: () => ({ client_id: seed.client.clientId, key: seed.email, channel: 'email' }),
    },
    {
      method: 'post',
      path: '/auth/verify-otp',
      auth: false,
      valid: () => ({ key: seed.email, otp: '123456' }),
    },
    {
      method: 'post',
      path: '/auth/create-qr-code',
      auth: false,
      valid: () => ({ code: 'c'.repeat(43), clientId: seed.client.clientId }),
    },
    {
      method: 'post',
      path: '/auth/v2/oauth1/tokens',
      auth: false,
      valid: () => ({ email: seed.email, password: 'wrong-password-here', clientId: seed.client.clientId }),
    },
    {
      method: 'post',
      path: '/auth/v2/oauth1/tokens/mfa',
      auth: false,
      valid: () => ({ token: 't'.repeat(43), methodId: pendingMethodId, code: '123456' }),
    },
    {
      method: 'post',
      path: '/auth/v2/oauth1/ssoTokens/consume',
      auth: false,
      valid: () => ({ ssoToken: 's'.repeat(43), clientId: seed.client.clientId }),
    },
    {
      method: 'post',
      path: '/auth/v2/mfa/methods/totp',
      auth: true,
      emptyOk: true,
      valid: () => ({ password: 'wrong-password-here' }),
    },
    {
      method: 'post',
      path: '/auth/v2/mfa/methods/{id}/confirm',
      auth: true,
      valid: () => ({ code: '000000' }),
    },
    {
      method: 'delete',
      path: '/auth/v2/mfa/methods/{id}',
      auth: true,
      emptyOk: true,
      valid: () => ({ password: 'wrong-password-here' }),
    },
  ];

  const send = (r: (typeof routes)[number]) => {
    const req = t.http[r.method](r.path.replace('{id}', pendingMethodId));
    return r.auth ? req.set(bearer(session.accessToken)) : req;
  };

  for (const r of routes) {
    describe(`${r.method.toUpperCase()} ${r.path}`, () => {
      it('bad JSON and a wrong content type: 400 BAD_REQUEST', async () => {
        expectError(await send(r).set('Content-Type', 'application/json').send('{"a":'), 400, 'BAD_REQUEST');
        expectError(
          await send(r).set('Content-Type', 'text/plain').send(JSON.stringify(r.valid())),
          400,
          'BAD_REQUEST',
        );
        expectError(
          await send(r).set('Content-Type', 'application/x-www-form-urlencoded').send('a=b'),
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

      it('no body, an empty object, an array, a scalar: 4xx (422 where fields are required)', async () => {
        for (const res of [await send(r), await send(r).send({})]) {
          if (r.emptyOk) {
            expect(res.status).toBeGreaterThanOrEqual(400);
            expect(res.status).toBeLessThan(500);
          } else {
            expectError(res, 422, 'VALIDATION_FAILED');
          }
        }
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

      it('every field with a wrong type or an absurd length: 4xx', async () => {
        for (const key of Object.keys(r.valid())) {
          for (const wrong of [123, true, null, { nested: 'object' }, ['array'], '', 'x'.repeat(5000)]) {
            const res = await send(r).send({ ...r.valid(), [key]: wrong });
            expect(res.status, `${key}=${JSON.stringify(wrong).slice(0, 20)}`).toBeGreaterThanOrEqual(400);
            expect(res.status, `${key}=${JSON.stringify(wrong).slice(0, 20)}`).toBeLessThan(500);
          }
        }
      });
    });
  }

  it('GET /auth/check-qr-code: missing, empty or huge headers are 422; a bad code 401', async () => {
    expectError(await t.http.get('/auth/check-qr-code'), 422, 'VALIDATION_FAILED');
    expectError(
      await t.http.get('/auth/check-qr-code').set('code', '').set('clientId', seed.client.clientId),
      422,
      'VALIDATION_FAILED',
    );
    expectError(
      await t.http
        .get('/auth/check-qr-code')
        .set('code', 'x'.repeat(5000))
        .set('clientId', seed.client.clientId),
      422,
      'VALIDATION_FAILED',
    );
    expectError(
      await t.http
        .get('/auth/check-qr-code')
        .set('code', "' OR 1=1 --")
        .set('clientId', "'; DROP TABLE x; --"),
      401,
      'INVALID_CODE',
    );
  });

  it('path ids that are not session or method ids: 404, never 5xx', async () => {
    for (const id of [
      'nope',
      '0',
      '%00',
      '..%2F..%2Fetc',
      'x'.repeat(2000),
      '00000000-0000-0000-0000-00000000000g',
    ]) {
      for (const res of [
        await t.http.delete(`/auth/v2/oauth1/tokens/${id}`).set(bearer(session.accessToken)),
        await t.http.delete(`/auth/v2/mfa/methods/${id}`).set(bearer(session.accessToken)).send({}),
        await t.http
          .post(`/auth/v2/mfa/methods/${id}/confirm`)
          .set(bearer(session.accessToken))
          .send({ code: '123456' }),
      ]) {
        expect(res.status, id.slice(0, 20)).toBeGreaterThanOrEqual(400);
        expect(res.status, id.slice(0, 20)).toBeLessThan(500);
      }
    }
  });

  it('POST /auth/v2/oauth1/ssoTokens/generate: bad JSON 400, huge 413, a body is otherwise ignored', async () => {
    const gen = () => t.http.post('/auth/v2/oauth1/ssoTokens/generate').set(bearer(session.accessToken));
    expectError(await gen().set('Content-Type', 'application/json').send('{"a":'), 400, 'BAD_REQUEST');
    expectError(await gen().send({ pad: 'x'.repeat(1024 * 1024) }), 413, 'PAYLOAD_TOO_LARGE');
    expect((await gen().send({ anything: 1 })).status).toBe(200);
  });

  it('Bearer routes without a valid token: 401 UNAUTHORIZED', async () => {
    for (const req of [
      t.http.get('/auth/v2/oauth1/tokens'),
      t.http.get('/auth/v2/mfa/methods').set('Authorization', 'Bearer not.a.jwt'),
      t.http.post('/auth/v2/mfa/methods/totp').set('Authorization', 'Basic abc').send({}),
      t.http.post('/auth/v2/oauth1/ssoTokens/generate').set('Authorization', 'Bearer '),
    ]) {
      expectError(await req, 401, 'UNAUTHORIZED');
    }
  });

  it('nothing above changed state', async () => {
    expect((await t.http.get('/auth/me').set(bearer(session.accessToken))).status).toBe(200);
    const methods = await t.http.get('/auth/v2/mfa/methods').set(bearer(session.accessToken));
    expect(methods.body).toEqual([expect.objectContaining({ id: pendingMethodId, confirmed: false })]);
    const sessions = await sql(t, `SELECT id FROM session WHERE user_id = $1 AND revoked_at IS NULL`, [
      seed.user.id,
    ]);
    expect(sessions).toHaveLength(1);
    expectGrantTokens(await passwordGrant(t, seed));
  });
});

describe('Swagger documentation of sections 4 and 8', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('documents every route with a summary, its answer, its errors and its request schema', async () => {
    const doc = (await t.http.get('/api-json')).body as {
      paths: Record<
        string,
        Record<string, { summary?: string; responses: Record<string, unknown>; requestBody?: unknown }>
      >;
    };
    const expected: [string, string, string[]][] = [
      ['/auth/send-otp', 'post', ['200', '401', '422', '429']],
      ['/auth/verify-otp', 'post', ['200', '401', '422', '429']],
      ['/auth/check-qr-code', 'get', ['200', '401', '422', '429']],
      ['/auth/create-qr-code', 'post', ['200', '401', '409', '422', '429']],
      ['/auth/v2/oauth1/tokens', 'post', ['200', '401', '403', '422', '429']],
      ['/auth/v2/oauth1/tokens', 'get', ['200', '401']],
      ['/auth/v2/oauth1/tokens/mfa', 'post', ['200', '401', '422', '429']],
      ['/auth/v2/oauth1/tokens/{tokenId}', 'delete', ['204', '401', '404']],
      ['/auth/v2/oauth1/ssoTokens/generate', 'post', ['200', '401']],
      ['/auth/v2/oauth1/ssoTokens/consume', 'post', ['200', '401', '403', '422', '429']],
      ['/auth/v2/mfa/methods', 'get', ['200', '401']],
      ['/auth/v2/mfa/methods/totp', 'post', ['200', '401', '422', '429']],
      ['/auth/v2/mfa/methods/{id}/confirm', 'post', ['200', '401', '404', '409', '422', '429']],
      ['/auth/v2/mfa/methods/{id}', 'delete', ['204', '401', '404', '422', '429']],
    ];
    for (const [path, method, statuses] of expected) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op!.summary, `${method} ${path}`).toBeTruthy();
      expect(Object.keys(op!.responses), `${method} ${path}`).toEqual(expect.arrayContaining(statuses));
      if (method === 'post' && !path.includes('generate'))
        expect(op!.requestBody, `${method} ${path}`).toBeDefined();
    }
  });
});
