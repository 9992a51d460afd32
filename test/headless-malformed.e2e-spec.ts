import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed, STRONG_PASSWORD } from './support/fixtures.js';
import { bearer, createPublicApp, pkcePair, PublicApp, visitorToken } from './support/headless.js';
import { answer, describeMalformed, Expected, expectAnswer, invalid, oauth } from './support/malformed.js';
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

  const state = counts;
  const visitorAuth = () => bearer(visitor);

  describeMalformed(http, [
    {
      method: 'post',
      path: '/auth/v2/register',
      headers: visitorAuth,
      // A weak password: whatever else passes validation, these requests never create anyone.
      valid: () => ({
        loginId: { email: 'new-member@example.com' },
        password: 'short',
        profile: { nickname: 'n' },
      }),
      validAnswer: answer(400, 'WEAK_PASSWORD'),
      optional: ['profile', 'profile.nickname'],
      formatted: ['loginId.email'],
      state,
    },
    {
      method: 'post',
      path: '/auth/v2/login',
      headers: visitorAuth,
      valid: () => ({ loginId: { email: seed.email }, password: 'not-the-password' }),
      validAnswer: answer(401, 'INVALID_CREDENTIALS'),
      formatted: ['loginId.email'],
      state,
    },
    {
      method: 'post',
      path: '/auth/v2/verify',
      headers: visitorAuth,
      valid: () => ({ code: '123456', stateToken: 'x'.repeat(43) }),
      validAnswer: answer(401, 'INVALID_CODE'),
      state,
    },
    {
      method: 'post',
      path: '/auth/v2/verify/resend',
      headers: visitorAuth,
      valid: () => ({ stateToken: 'x'.repeat(43) }),
      validAnswer: answer(401, 'INVALID_TOKEN'),
      state,
    },
    {
      method: 'post',
      path: '/auth/v2/redirect-sessions',
      headers: visitorAuth,
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
      validAnswer: answer(400, 'INVALID_SESSION_TOKEN'),
      // `auth` or `logout`, exactly one: without either the body itself is named.
      empty: invalid('body'),
      formatted: ['auth.codeChallenge', 'auth.responseMode', 'auth.responseType'],
      fields: {
        auth: { missing: invalid('body') },
        'auth.clientId': { text: answer(401, 'INVALID_CLIENT') },
        // Only S256 (API.md section 7: else 400 INVALID_REQUEST); scopes are checked like /oauth2/authorize's.
        'auth.codeChallengeMethod': { text: answer(400, 'INVALID_REQUEST') },
        'auth.scope': { text: answer(400, 'INVALID_SCOPE'), empty: answer(400, 'INVALID_SESSION_TOKEN') },
        // Without a sessionToken the session is created: the fullUrl serves the hosted login page
        // (a null one is a mistyped field, not an absent one).
        'auth.sessionToken': { missing: answer(200) },
      },
      state,
    },
    {
      method: 'post',
      path: '/auth/v2/recovery/send-email',
      headers: visitorAuth,
      valid: () => ({
        email: 'nobody@example.com',
        redirect: { url: 'https://evil.example.com/', clientId: seed.client.clientId },
      }),
      validAnswer: answer(400, 'INVALID_REDIRECT'),
      formatted: ['email'],
      state,
    },
    {
      method: 'post',
      path: '/auth/v2/recovery/reset',
      valid: () => ({ token: 'x'.repeat(43), password: STRONG_PASSWORD }),
      validAnswer: answer(401, 'INVALID_TOKEN'),
      form: true,
      state,
    },
    {
      method: 'patch',
      path: '/auth/v2/members/me',
      headers: () => bearer(member),
      valid: () => ({ nickname: 'ok' }),
      validAnswer: answer(200),
      optional: ['nickname'],
      empty: answer(200),
      state,
    },
  ]);

  describe('RFC 6749 section 5.2 on /oauth2/token and /oauth2/revoke', () => {
    const sessions = async () => (await counts()).sessions;
    const code = () => ({
      clientId: seed.client.clientId,
      grantType: 'authorization_code',
      code: 'c'.repeat(43),
      codeVerifier: pkcePair().verifier,
      redirectUri: 'https://shop.example.com/callback',
    });
    const rfc = { method: 'post', path: '/oauth2/token', oauth: true, form: true, state: sessions } as const;
    const unknownClient = { text: oauth(401, 'invalid_client', 'INVALID_CLIENT') };
    const unknownGrant = { text: oauth(400, 'unsupported_grant_type') };
    describeMalformed(http, [
      {
        ...rfc,
        valid: code,
        validAnswer: oauth(400, 'invalid_grant', 'INVALID_CODE'),
        optional: ['codeVerifier', 'redirectUri'],
        fields: { clientId: unknownClient, grantType: unknownGrant },
      },
      {
        ...rfc,
        // The RFC 6749 spelling of the same request.
        valid: () => {
          const c = code();
          return {
            client_id: c.clientId,
            grant_type: c.grantType,
            code: c.code,
            code_verifier: c.codeVerifier,
            redirect_uri: c.redirectUri,
          };
        },
        validAnswer: oauth(400, 'invalid_grant', 'INVALID_CODE'),
        optional: ['code_verifier', 'redirect_uri'],
        fields: { client_id: unknownClient, grant_type: unknownGrant },
      },
      {
        ...rfc,
        valid: () => ({
          clientId: seed.client.clientId,
          grantType: 'refresh_token',
          refreshToken: 'r'.repeat(43),
        }),
        validAnswer: oauth(400, 'invalid_grant', 'INVALID_REFRESH_TOKEN'),
        fields: { clientId: unknownClient, grantType: unknownGrant },
      },
      {
        ...rfc,
        path: '/oauth2/revoke',
        valid: () => ({ token: 't'.repeat(43), client_id: seed.client.clientId }),
        validAnswer: answer(200),
        fields: { client_id: unknownClient },
      },
    ]);

    it('form bodies with a bracketed or an undecodable parameter: 400 invalid_request', async () => {
      const before = await counts();
      for (const path of ['/oauth2/token', '/oauth2/revoke']) {
        for (const body of [
          `grant_type=authorization_code&client_id=${seed.client.clientId}&code[]=x`,
          '%%%',
        ]) {
          const res = await http()
            .post(path)
            .set('Content-Type', 'application/x-www-form-urlencoded')
            .send(body);
          // `code[]` and `%%%` are unknown parameters (ignored), so a required one is missing.
          expectAnswer(res, oauth(400, 'invalid_request', 'INVALID_REQUEST'), `${path} ${body}`, true);
        }
      }
      expect((await counts()).sessions).toBe(before.sessions);
    });
  });

  it('GET /oauth2/authorize, POST /oauth2/authorize, GET /oauth2/logout and GET /auth/v2/recovery with garbage: the exact 4xx', async () => {
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
    // A NUL anywhere in the URL is refused before any route (JSON, whatever the Accept); the
    // recovery page refuses every token but a mailed one; the OAuth pages name what is wrong.
    const expected = (path: string, q: string): Expected => {
      if (q.includes('%00')) return answer(400, 'BAD_REQUEST');
      if (path === '/auth/v2/recovery') return answer(401, 'INVALID_TOKEN');
      if (q.startsWith('redirectSession=')) return answer(400, 'INVALID_REDIRECT_SESSION');
      return answer(400, 'INVALID_REQUEST');
    };
    for (const path of ['/oauth2/authorize', '/oauth2/logout', '/auth/v2/recovery']) {
      for (const q of queries) {
        const want = expected(path, q);
        const label = `${path}?${q.slice(0, 60)}`;
        expectAnswer(await http().get(`${path}?${q}`).set('Accept', 'application/json'), want, label);
        const page = await http().get(`${path}?${q}`).set('Accept', 'text/html');
        if (want.code === 'BAD_REQUEST') {
          expectAnswer(page, want, `${label} (html)`);
        } else {
          expect(page.status, `${label} (html)`).toBe(want.status);
          expect(page.headers['content-type'], `${label} (html)`).toMatch(/^text\/html/);
        }
      }
    }
    for (const [body, want] of [
      [{}, answer(400, 'INVALID_REDIRECT_SESSION')],
      [{ redirectSession: 'x' }, answer(400, 'INVALID_REDIRECT_SESSION')],
      [{ redirectSession: ['a', 'b'], email: 'a', password: 'b' }, answer(400, 'INVALID_REDIRECT_SESSION')],
      [{ redirectSession: 'x'.repeat(43), email: 'a\u0000', password: 'b' }, invalid('email')],
    ] as const) {
      const res = await http().post('/oauth2/authorize').type('form').send(body);
      expectAnswer(res, want, `POST /oauth2/authorize ${JSON.stringify(body).slice(0, 50)}`);
    }
    const bad = await http().post('/oauth2/authorize').set('Content-Type', 'application/json').send('{"x":');
    expectError(bad, 400, 'BAD_REQUEST');
  });
});
