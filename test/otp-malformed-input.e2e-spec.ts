import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed } from './support/fixtures.js';
import { bearer, expectGrantTokens, GrantTokens, passwordGrant } from './support/mfa.js';
import { answer, describeMalformed } from './support/malformed.js';
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

  const wrongPassword = 'Not-The-Password-1234';
  /** Sessions and methods of the seeded user: what no malformed request may touch. */
  const state = async () => ({
    sessions: await sql(t, `SELECT id FROM session WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id`, [
      seed.user.id,
    ]),
    methods: await sql(t, `SELECT id, confirmed_at FROM mfa_method WHERE user_id = $1 ORDER BY id`, [
      seed.user.id,
    ]),
  });
  const auth = () => bearer(session.accessToken);
  const unknownClient = { text: answer(401, 'INVALID_CLIENT') };
  // Every DTO of sections 4 and 8 refuses null for an optional field (IsOptionalField).
  const common = { strictNull: true, state };

  describeMalformed(
    () => t.http,
    [
      {
        method: 'post',
        path: '/auth/send-otp',
        valid: () => ({ client_id: seed.client.clientId, key: seed.email, channel: 'email' }),
        validAnswer: answer(200),
        optional: ['channel'],
        formatted: ['channel'],
        fields: { client_id: unknownClient },
        ...common,
      },
      {
        method: 'post',
        path: '/auth/verify-otp',
        valid: () => ({ key: seed.email, otp: '123456' }),
        validAnswer: answer(401, 'INVALID_OTP'),
        ...common,
      },
      {
        method: 'post',
        path: '/auth/create-qr-code',
        valid: () => ({ code: 'c'.repeat(43), clientId: seed.client.clientId }),
        validAnswer: answer(401, 'INVALID_CODE'),
        ...common,
      },
      {
        method: 'post',
        path: '/auth/v2/oauth1/tokens',
        valid: () => ({ email: seed.email, password: wrongPassword, clientId: seed.client.clientId }),
        validAnswer: answer(401, 'INVALID_CREDENTIALS'),
        fields: { clientId: unknownClient },
        ...common,
      },
      {
        method: 'post',
        path: '/auth/v2/oauth1/tokens/mfa',
        valid: () => ({ token: 't'.repeat(43), methodId: pendingMethodId, code: '123456' }),
        validAnswer: answer(401, 'INVALID_TOKEN'),
        ...common,
      },
      {
        method: 'post',
        path: '/auth/v2/oauth1/ssoTokens/consume',
        valid: () => ({ ssoToken: 's'.repeat(43), clientId: seed.client.clientId }),
        validAnswer: answer(401, 'INVALID_TOKEN'),
        optional: ['clientId'],
        ...common,
      },
      {
        method: 'post',
        path: '/auth/v2/mfa/methods/totp',
        headers: auth,
        valid: () => ({ password: wrongPassword }),
        validAnswer: answer(401, 'INVALID_CREDENTIALS'),
        optional: ['password'],
        empty: answer(401, 'INVALID_CREDENTIALS'),
        ...common,
      },
      {
        method: 'post',
        path: '/auth/v2/mfa/methods/{id}/confirm',
        params: () => ({ id: pendingMethodId }),
        headers: auth,
        valid: () => ({ code: '000000' }),
        validAnswer: answer(401, 'INVALID_MFA_CODE'),
        ...common,
      },
      {
        method: 'delete',
        path: '/auth/v2/mfa/methods/{id}',
        params: () => ({ id: pendingMethodId }),
        headers: auth,
        valid: () => ({ password: wrongPassword }),
        validAnswer: answer(401, 'INVALID_CREDENTIALS'),
        optional: ['password'],
        empty: answer(401, 'INVALID_CREDENTIALS'),
        ...common,
      },
    ],
  );

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

  it('path ids that are not session or method ids: 404 NOT_FOUND (a NUL in the URL: 400)', async () => {
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
        if (id === '%00') expectError(res, 400, 'BAD_REQUEST');
        else expectError(res, 404, 'NOT_FOUND');
      }
    }
  });

  it('POST /auth/v2/oauth1/ssoTokens/generate: bad JSON or a wrong content type 400, huge 413, a body is otherwise ignored', async () => {
    const gen = () => t.http.post('/auth/v2/oauth1/ssoTokens/generate').set(bearer(session.accessToken));
    expectError(await gen().set('Content-Type', 'application/json').send('{"a":'), 400, 'BAD_REQUEST');
    expectError(await gen().send({ pad: 'x'.repeat(1024 * 1024) }), 413, 'PAYLOAD_TOO_LARGE');
    expect((await gen().send({ anything: 1 })).status).toBe(200);
    expectError(await gen().set('Content-Type', 'text/plain').send('x'), 400, 'BAD_REQUEST');
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
