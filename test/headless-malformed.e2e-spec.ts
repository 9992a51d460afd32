import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed, STRONG_PASSWORD } from './support/fixtures.js';
import { bearer, createPublicApp, pkcePair, PublicApp, visitorToken } from './support/headless.js';
import { sql } from './support/test-app.js';

/**
 * Every route of API.md section 7 fed what a careless or hostile client sends: the contract's 4xx
 * body (RFC 6749 fields on /oauth2/token and /oauth2/revoke), never a 5xx, and nothing changes.
 */
describe('malformed input on the headless and OAuth 2.0 routes', () => {
  let app: PublicApp;
  let seed: Seed;
  let visitor: string;
  let member: string;

  const http = () => app.t.http;
  const counts = async () =>
    (
      await sql<{ users: string; tokens: string; codes: string; sessions: string }>(
        app.t,
        `SELECT (SELECT count(*) FROM app_user) AS users, (SELECT count(*) FROM one_time_token WHERE used_at IS NULL) AS tokens,
                (SELECT count(*) FROM auth_code) AS codes, (SELECT count(*) FROM session WHERE revoked_at IS NULL) AS sessions`,
      )
    )[0];

  beforeAll(async () => {
    app = await createPublicApp();
    seed = await seedTenant(app.t, {
      client: {
        public: true,
        redirectUrls: ['https://shop.example.com/callback'],
        allowedOrigins: ['https://shop.example.com'],
      },
    });
    visitor = await visitorToken(app.t, seed.client.clientId);
    const login = await http()
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email: seed.email }, password: seed.password });
    const { challenge, verifier } = pkcePair();
    const rs = await http()
      .post('/auth/v2/redirect-sessions')
      .set(bearer(visitor))
      .send({
        auth: {
          clientId: seed.client.clientId,
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
          responseMode: 'query',
          responseType: 'code',
          scope: 'offline_access',
          state: 's',
          sessionToken: login.body.sessionToken,
        },
      });
    const full = new URL(rs.body.redirectSession.fullUrl);
    const code = new URL((await http().get(full.pathname + full.search)).headers.location).searchParams.get(
      'code',
    );
    const tokens = await http().post('/oauth2/token').send({
      clientId: seed.client.clientId,
      grantType: 'authorization_code',
      code,
      codeVerifier: verifier,
    });
    member = tokens.body.access_token;
  });
  afterAll(async () => {
    await app?.close();
  });

  const routes: {
    method: 'post' | 'patch';
    path: string;
    token: () => string;
    valid: () => Record<string, unknown>;
  }[] = [
    {
      method: 'post',
      path: '/auth/v2/register',
      token: () => visitor,
      // A weak password: whatever else passes validation, these requests never create anyone.
      valid: () => ({
        loginId: { email: 'new-member@example.com' },
        password: 'short',
        profile: { nickname: 'n' },
      }),
    },
    {
      method: 'post',
      path: '/auth/v2/login',
      token: () => visitor,
      valid: () => ({ loginId: { email: seed.email }, password: 'not-the-password' }),
    },
    {
      method: 'post',
      path: '/auth/v2/verify',
      token: () => visitor,
      valid: () => ({ code: '123456', stateToken: 'x'.repeat(43) }),
    },
    {
      method: 'post',
      path: '/auth/v2/verify/resend',
      token: () => visitor,
      valid: () => ({ stateToken: 'x'.repeat(43) }),
    },
    {
      method: 'post',
      path: '/auth/v2/redirect-sessions',
      token: () => visitor,
      valid: () => ({
        auth: {
          clientId: seed.client.clientId,
          codeChallenge: pkcePair().challenge,
          codeChallengeMethod: 'S256',
          responseMode: 'web_message',
          responseType: 'code',
          scope: 'offline_access',
          state: 's',
          sessionToken: 'x'.repeat(43),
        },
      }),
    },
    {
      method: 'post',
      path: '/auth/v2/recovery/send-email',
      token: () => visitor,
      valid: () => ({
        email: 'nobody@example.com',
        redirect: { url: 'https://evil.example.com/', clientId: seed.client.clientId },
      }),
    },
    {
      method: 'post',
      path: '/auth/v2/recovery/reset',
      token: () => '',
      valid: () => ({ token: 'x'.repeat(43), password: STRONG_PASSWORD }),
    },
    { method: 'patch', path: '/auth/v2/members/me', token: () => member, valid: () => ({ nickname: 'ok' }) },
  ];

  const send = (r: (typeof routes)[number]) => {
    const req = http()[r.method](r.path);
    return r.token() ? req.set(bearer(r.token())) : req;
  };

  for (const r of routes) {
    describe(`${r.method.toUpperCase()} ${r.path}`, () => {
      it('bad JSON, a wrong content type, a non-object body, a huge body: 400 / 422 / 413, nothing changes', async () => {
        const before = await counts();
        expectError(await send(r).set('Content-Type', 'application/json').send('{"a":'), 400, 'BAD_REQUEST');
        expectError(
          await send(r).set('Content-Type', 'text/plain').send(JSON.stringify(r.valid())),
          400,
          'BAD_REQUEST',
        );
        expectError(
          await send(r).set('Content-Type', 'application/json').send('[1,2]'),
          422,
          'VALIDATION_FAILED',
        );
        expectError(await send(r).set('Content-Type', 'application/json').send('"text"'), 400, 'BAD_REQUEST');
        expectError(await send(r).send({ ...r.valid(), pad: 'x'.repeat(110_000) }), 413, 'PAYLOAD_TOO_LARGE');
        expectError(await send(r).send({ ...r.valid(), unknownField: 1 }), 422, 'VALIDATION_FAILED');
        expect(await counts()).toEqual(before);
      });

      it('every field mistyped, missing, hostile: a 4xx, never a 5xx, nothing changes', async () => {
        const before = await counts();
        const valid = r.valid();
        const hostile: unknown[] = [
          null,
          7,
          true,
          [],
          {},
          [{}],
          'x'.repeat(5000),
          'a\u0000b',
          '<script>',
          { $gt: '' },
        ];
        for (const field of Object.keys(valid)) {
          const { [field]: _dropped, ...missing } = valid;
          const res = await send(r).send(missing);
          expect(res.status, `${field} missing`).toBeLessThan(500);
          for (const value of hostile) {
            const res2 = await send(r).send({ ...valid, [field]: value });
            expect(res2.status, `${field} = ${JSON.stringify(value).slice(0, 40)}`).toBeLessThan(500);
            if (res2.status >= 400) expect(res2.body.code).toMatch(/^[A-Z_]+$/);
          }
          const inner = valid[field];
          if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
            for (const sub of Object.keys(inner)) {
              for (const value of hostile) {
                const res3 = await send(r).send({ ...valid, [field]: { ...inner, [sub]: value } });
                expect(res3.status, `${field}.${sub} = ${JSON.stringify(value).slice(0, 40)}`).toBeLessThan(
                  500,
                );
              }
            }
          }
        }
        const after = await counts();
        // Only a register with a hostile-but-valid profile could create something; none of these is valid.
        expect(after.users).toBe(before.users);
        expect(after.codes).toBe(before.codes);
      });
    });
  }

  it('/oauth2/token and /oauth2/revoke: RFC errors for every malformed body, never a 5xx', async () => {
    const before = await counts();
    const bodies: [string, string][] = [
      ['application/json', '{"grantType":'],
      ['application/json', '[]'],
      ['application/json', '"x"'],
      [
        'application/x-www-form-urlencoded',
        'grant_type=authorization_code&client_id=' + seed.client.clientId + '&code[]=x',
      ],
      ['application/x-www-form-urlencoded', '%%%'],
      ['text/plain', 'grant_type=anonymous'],
    ];
    for (const path of ['/oauth2/token', '/oauth2/revoke']) {
      for (const [type, body] of bodies) {
        const res = await http().post(path).set('Content-Type', type).send(body);
        expect(res.status, `${path} ${type} ${body}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.body.error).toMatch(/^[a-z_]+$/);
        expect(res.body.error_description).toEqual(expect.any(String));
      }
      for (const value of [null, 7, true, [], {}, 'x'.repeat(5000), 'a\u0000b']) {
        for (const field of [
          'grantType',
          'grant_type',
          'clientId',
          'client_id',
          'code',
          'codeVerifier',
          'refreshToken',
          'token',
          'redirectUri',
        ]) {
          const res = await http()
            .post(path)
            .send({
              clientId: seed.client.clientId,
              grantType: 'authorization_code',
              code: 'c',
              token: 't',
              [field]: value,
            });
          expect(res.status, `${path} ${field}=${JSON.stringify(value)?.slice(0, 30)}`).toBeLessThan(500);
          if (res.status >= 400) expect(res.body.error).toMatch(/^[a-z_]+$/);
        }
      }
    }
    expect((await counts()).sessions).toBe(before.sessions);
  });

  it('GET /oauth2/authorize, POST /oauth2/authorize, GET /oauth2/logout and GET /auth/v2/recovery with garbage: 4xx', async () => {
    const queries = [
      '',
      'redirectSession=',
      'redirectSession=x&redirectSession=y',
      'redirectSession=%00',
      'client_id=%00',
      'client_id=' +
        seed.client.clientId +
        '&response_type=code&code_challenge=%00&code_challenge_method=S256',
      'client_id=' +
        seed.client.clientId +
        '&response_type=code&state=%00&code_challenge_method=S256&code_challenge=' +
        pkcePair().challenge,
      'client_id=' + 'x'.repeat(5000),
      'id_token_hint=%00',
      'id_token_hint=a.b.c&client_id=%00',
      'token=%00',
      'token[]=x',
    ];
    for (const path of ['/oauth2/authorize', '/oauth2/logout', '/auth/v2/recovery']) {
      for (const q of queries) {
        for (const accept of ['application/json', 'text/html']) {
          const res = await http().get(`${path}?${q}`).set('Accept', accept);
          expect(res.status, `${path}?${q.slice(0, 60)}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${path}?${q.slice(0, 60)}`).toBeLessThan(500);
        }
      }
    }
    for (const body of [
      {},
      { redirectSession: 'x' },
      { redirectSession: ['a', 'b'], email: 'a', password: 'b' },
      { redirectSession: 'x'.repeat(43), email: 'a\u0000', password: 'b' },
    ]) {
      const res = await http().post('/oauth2/authorize').type('form').send(body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const bad = await http().post('/oauth2/authorize').set('Content-Type', 'application/json').send('{"x":');
    expectError(bad, 400, 'BAD_REQUEST');
  });
});
