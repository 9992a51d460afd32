import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, sql, TestApp, TEST_ADMIN_KEY } from './support/test-app.js';
import { loginBody, seedTenant, Seed, unique } from './support/fixtures.js';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';
import { answer, describeMalformed, invalid } from './support/malformed.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const adminKey = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('headless member tokens (API.md sections 1 and 9)', () => {
  let t: TestApp;
  let seed: Seed;
  let other: Seed;
  /** A headless token of `seed`'s tenant. */
  let headless: string;

  const createToken = async (tenantId: string, extra: Record<string, unknown> = {}) => {
    const res = await t.http
      .post('/admin/headless-tokens')
      .set(adminKey)
      .send({ tenantId, name: 'backend', ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; token: string; clientId: string | null };
  };
  const memberTokens = async (body: Record<string, unknown>, token = headless) => {
    const res = await t.http.post('/api/v1/headless/auth_token').set(bearer(token)).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as {
      access_token: string;
      access_token_expires_at: string;
      refresh_token: string;
      refresh_token_expires_at: string;
      community_member_id: number;
      community_id: number;
    };
  };
  const me = (accessToken: string) => t.http.get('/auth/me').set(bearer(accessToken));

  beforeAll(async () => {
    t = await createTestApp();
    seed = await seedTenant(t, { user: { ssoId: unique('sso') } });
    other = await seedTenant(t, { user: { ssoId: unique('sso') } });
    headless = (await createToken(seed.tenant.id)).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('/admin/headless-tokens', () => {
    it('creates a token shown once, stores only its SHA-256, and lists it without the token', async () => {
      const res = await t.http
        .post('/admin/headless-tokens')
        .set(adminKey)
        .send({ tenantId: seed.tenant.id, name: 'community backend' });
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toContain('no-store');
      expect(res.body).toEqual({
        id: expect.any(String),
        name: 'community backend',
        token: expect.stringMatching(/^hdls_[\w-]{43}$/),
        tenantId: seed.tenant.id,
        clientId: null,
        createdAt: expect.stringMatching(ISO),
        lastUsedAt: null,
      });
      const [row] = await sql<{ token_hash: Buffer }>(t, `SELECT * FROM headless_token WHERE id = $1`, [
        res.body.id,
      ]);
      expect(row!.token_hash.equals(createHash('sha256').update(res.body.token).digest())).toBe(true);
      const dump = JSON.stringify(await sql(t, `SELECT * FROM headless_token`));
      expect(dump).not.toContain(res.body.token);

      const list = await t.http
        .get('/admin/headless-tokens')
        .set(adminKey)
        .query({ tenantId: seed.tenant.id });
      expect(list.status).toBe(200);
      const listed = list.body.find((x: { id: string }) => x.id === res.body.id);
      expect(listed).toEqual({ ...res.body, token: undefined });
      expect(JSON.stringify(list.body)).not.toContain(res.body.token);

      const one = await t.http.get(`/admin/headless-tokens/${res.body.id}`).set(adminKey);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(listed);
    });

    it('binds a chosen client of the tenant; a client of another tenant or an unknown tenant is 404', async () => {
      const chosen = await createToken(seed.tenant.id, { clientId: seed.client.clientId });
      expect(chosen.clientId).toBe(seed.client.clientId);
      const tokens = await memberTokens({ email: seed.email }, chosen.token);
      expect(decodeClaims(tokens.access_token)).toMatchObject({
        cid: seed.client.clientId,
        tid: seed.tenant.id,
      });

      const byUuid = await createToken(seed.tenant.id, { clientId: seed.client.id });
      expect(byUuid.clientId).toBe(seed.client.clientId);

      expectError(
        await t.http
          .post('/admin/headless-tokens')
          .set(adminKey)
          .send({ tenantId: seed.tenant.id, name: 'x', clientId: other.client.clientId }),
        404,
        'NOT_FOUND',
      );
      expectError(
        await t.http
          .post('/admin/headless-tokens')
          .set(adminKey)
          .send({ tenantId: '00000000-0000-4000-8000-000000000000', name: 'x' }),
        404,
        'NOT_FOUND',
      );
    });

    it("keeps a ManageAuth token to its own tenant's headless tokens", async () => {
      const admin = await seedTenant(t, { permissions: ['ManageAuth'] });
      const { accessToken } = expectTokenResponse(
        await t.http.post('/auth/login-token').send(loginBody(admin)),
      );
      const own = await t.http
        .post('/admin/headless-tokens')
        .set(bearer(accessToken))
        .send({ tenantId: admin.tenant.id, name: 'own' });
      expect(own.status).toBe(201);
      expectError(
        await t.http
          .post('/admin/headless-tokens')
          .set(bearer(accessToken))
          .send({ tenantId: seed.tenant.id, name: 'foreign' }),
        403,
        'FORBIDDEN',
      );
      const list = await t.http.get('/admin/headless-tokens').set(bearer(accessToken));
      expect(list.status).toBe(200);
      expect(list.body.map((x: { tenantId: string }) => x.tenantId)).toEqual([admin.tenant.id]);
      expectError(
        await t.http
          .get('/admin/headless-tokens')
          .set(bearer(accessToken))
          .query({ tenantId: seed.tenant.id }),
        403,
        'FORBIDDEN',
      );
      const foreign = await createToken(seed.tenant.id);
      expectError(
        await t.http.get(`/admin/headless-tokens/${foreign.id}`).set(bearer(accessToken)),
        404,
        'NOT_FOUND',
      );
      expectError(
        await t.http.delete(`/admin/headless-tokens/${foreign.id}`).set(bearer(accessToken)),
        404,
        'NOT_FOUND',
      );
      // A member without ManageAuth, no Bearer, a wrong key.
      const plain = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
      expectError(
        await t.http.get('/admin/headless-tokens').set(bearer(plain.accessToken)),
        403,
        'FORBIDDEN',
      );
      expectError(await t.http.get('/admin/headless-tokens'), 401, 'UNAUTHORIZED');
      expectError(await t.http.get('/admin/headless-tokens').set(bearer('wrong-key')), 401, 'UNAUTHORIZED');
    });

    it('DELETE revokes at once; unknown and malformed ids are 404', async () => {
      const doomed = await createToken(seed.tenant.id);
      await memberTokens({ email: seed.email }, doomed.token);
      const del = await t.http.delete(`/admin/headless-tokens/${doomed.id}`).set(adminKey);
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      expectError(
        await t.http
          .post('/api/v1/headless/auth_token')
          .set(bearer(doomed.token))
          .send({ email: seed.email }),
        401,
        'UNAUTHORIZED',
      );
      expectError(await t.http.delete(`/admin/headless-tokens/${doomed.id}`).set(adminKey), 404, 'NOT_FOUND');
      expectError(await t.http.get(`/admin/headless-tokens/${doomed.id}`).set(adminKey), 404, 'NOT_FOUND');
      expectError(await t.http.get('/admin/headless-tokens/not-a-uuid').set(adminKey), 404, 'NOT_FOUND');
      expectError(
        await t.http.delete("/admin/headless-tokens/1'%20OR%201=1").set(adminKey),
        404,
        'NOT_FOUND',
      );
    });

    it('records lastUsedAt', async () => {
      const fresh = await createToken(seed.tenant.id);
      const before = Date.now();
      await memberTokens({ email: seed.email }, fresh.token);
      const one = await t.http.get(`/admin/headless-tokens/${fresh.id}`).set(adminKey);
      expect(one.body.lastUsedAt).toMatch(ISO);
      // Set by this use (the token was created unused), not an older value.
      expect(Date.parse(one.body.lastUsedAt)).toBeGreaterThanOrEqual(before - 1000);
    });

    describeMalformed(
      () => t.http,
      [
        {
          method: 'post',
          path: '/admin/headless-tokens',
          headers: () => adminKey,
          valid: () => ({ tenantId: seed.tenant.id, name: 'backend' }),
          validAnswer: answer(201),
          formatted: ['tenantId'],
          state: () => sql(t, `SELECT count(*) AS n FROM headless_token`),
        },
      ],
    );

    it('malformed input beyond the table: a null clientId, a bad list query', async () => {
      const post = () => t.http.post('/admin/headless-tokens').set(adminKey);
      expectError(
        await post().send({ tenantId: seed.tenant.id, name: 'x', clientId: null }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await t.http.get('/admin/headless-tokens').set(adminKey).query({ tenantId: 'x' }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await t.http.get('/admin/headless-tokens').set(adminKey).query({ bogus: '1' }),
        422,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('POST /api/v1/headless/auth_token', () => {
    it('issues member tokens by community member id, email (any case) and SSO id', async () => {
      const expected = {
        access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        access_token_expires_at: expect.stringMatching(ISO),
        refresh_token: expect.stringMatching(/^[\w-]{43,}$/),
        refresh_token_expires_at: expect.stringMatching(ISO),
        community_member_id: seed.membership.memberId,
        community_id: seed.tenant.communityId,
      };
      for (const body of [
        { community_member_id: seed.membership.memberId },
        { email: seed.email.toUpperCase() },
        { sso_id: seed.user.ssoId },
      ]) {
        const res = await t.http.post('/api/v1/headless/auth_token').set(bearer(headless)).send(body);
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toContain('no-store');
        expect(res.body).toEqual(expected);
        const claims = decodeClaims(res.body.access_token) as {
          exp: number;
          iat: number;
          sub: string;
          tid: string;
        };
        expect(claims).toMatchObject({ sub: seed.user.id, tid: seed.tenant.id });
        expect(claims.exp - claims.iat).toBe(3600);
        expect(Date.parse(res.body.access_token_expires_at)).toBe(claims.exp * 1000);
        const refreshDays = (Date.parse(res.body.refresh_token_expires_at) - Date.now()) / 86_400_000;
        expect(refreshDays).toBeGreaterThan(29.9);
        expect(refreshDays).toBeLessThanOrEqual(30);
        // An ordinary access token: it works on /auth/me.
        const profile = await me(res.body.access_token);
        expect(profile.status).toBe(200);
        expect(profile.body).toMatchObject({ id: seed.user.id, memberId: seed.membership.memberId });
      }
      const rows = await sql<{ login_type: string; auth_method: string; tenant_id: string }>(
        t,
        `SELECT login_type, auth_method, tenant_id FROM login_activity WHERE actor = $1 AND auth_method = 'HEADLESS'`,
        [seed.user.id],
      );
      expect(rows.filter((r) => r.login_type === 'ACCESS').length).toBeGreaterThanOrEqual(3);
      expect(rows.every((r) => r.tenant_id === seed.tenant.id)).toBe(true);
    });

    it("issues for the tenant's internal headless client when none was chosen", async () => {
      const tokens = await memberTokens({ email: seed.email });
      expect(decodeClaims(tokens.access_token).cid).toBe(`headless:${seed.tenant.id}`);
      const clients = await sql<{ is_public: boolean; secret_hash: string | null; redirect_urls: string[] }>(
        t,
        `SELECT is_public, secret_hash, redirect_urls FROM auth_client WHERE client_id = $1`,
        [`headless:${seed.tenant.id}`],
      );
      expect(clients).toHaveLength(1);
      expect(clients[0]).toMatchObject({ is_public: false, redirect_urls: [] });
      expect(clients[0]!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it("answers 404 for a member that does not exist in the token's tenant", async () => {
      for (const body of [
        { community_member_id: 999_999_999 },
        { email: 'nobody@example.com' },
        { sso_id: 'no-such-sso' },
        // Members of another tenant are invisible.
        { community_member_id: other.membership.memberId },
        { email: other.email },
        { sso_id: other.user.ssoId },
      ]) {
        expectError(
          await t.http.post('/api/v1/headless/auth_token').set(bearer(headless)).send(body),
          404,
          'NOT_FOUND',
        );
      }
    });

    it('refuses an inactive member with 403 and its status', async () => {
      const locked = await seedTenant(t, { user: { status: 'LOCKED' } });
      const token = (await createToken(locked.tenant.id)).token;
      expectError(
        await t.http.post('/api/v1/headless/auth_token').set(bearer(token)).send({ email: locked.email }),
        403,
        'LOCKED',
      );
    });

    it('needs exactly one key', async () => {
      const post = (body: unknown) =>
        t.http
          .post('/api/v1/headless/auth_token')
          .set(bearer(headless))
          .send(body as object);
      expectError(await post({}), 422, 'VALIDATION_FAILED');
      expectError(await post({ email: seed.email, sso_id: seed.user.ssoId }), 422, 'VALIDATION_FAILED');
      expectError(
        await post({ community_member_id: seed.membership.memberId, email: seed.email }),
        422,
        'VALIDATION_FAILED',
      );
      for (const wrong of ['12', 1.5, 0, -1, true, null, {}, [1]]) {
        expectError(await post({ community_member_id: wrong }), 422, 'VALIDATION_FAILED');
      }
      for (const wrong of [12, '', null, {}, ['a'], 'x'.repeat(400)]) {
        expectError(await post({ email: wrong }), 422, 'VALIDATION_FAILED');
        expectError(await post({ sso_id: wrong }), 422, 'VALIDATION_FAILED');
      }
    });

    it('refuses a missing, unknown or wrong kind of Bearer with 401', async () => {
      const post = () => t.http.post('/api/v1/headless/auth_token');
      expectError(await post().send({ email: seed.email }), 401, 'UNAUTHORIZED');
      expectError(await post().set(bearer('hdls_unknown')).send({ email: seed.email }), 401, 'UNAUTHORIZED');
      expectError(await post().set(adminKey).send({ email: seed.email }), 401, 'UNAUTHORIZED');
      const member = await memberTokens({ email: seed.email });
      expectError(
        await post().set(bearer(member.access_token)).send({ email: seed.email }),
        401,
        'UNAUTHORIZED',
      );
      expectError(
        await post().set(bearer(member.refresh_token)).send({ email: seed.email }),
        401,
        'UNAUTHORIZED',
      );
    });
  });

  describe('POST /api/v1/headless/access_token/refresh', () => {
    it('issues a new access token and does not rotate the refresh token', async () => {
      const tokens = await memberTokens({ email: seed.email });
      const first = await t.http
        .post('/api/v1/headless/access_token/refresh')
        .set(bearer(headless))
        .send({ refresh_token: tokens.refresh_token });
      expect(first.status).toBe(200);
      expect(first.headers['cache-control']).toContain('no-store');
      expect(first.body).toEqual({
        access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        access_token_expires_at: expect.stringMatching(ISO),
      });
      expect(first.body.access_token).not.toBe(tokens.access_token);
      const claims = decodeClaims(first.body.access_token) as { exp: number; iat: number; sid: string };
      expect(claims.exp - claims.iat).toBe(3600);
      expect(claims.sid).toBe(decodeClaims(tokens.access_token).sid);
      // The same refresh token keeps working: no rotation, no reuse detection.
      const second = await t.http
        .post('/api/v1/headless/access_token/refresh')
        .set(bearer(headless))
        .send({ refresh_token: tokens.refresh_token });
      expect(second.status).toBe(200);
      for (const token of [tokens.access_token, first.body.access_token, second.body.access_token]) {
        expect((await me(token)).status).toBe(200);
      }
      const relogins = await sql<{ n: string }>(
        t,
        `SELECT count(*) AS n FROM login_activity WHERE actor = $1 AND login_type = 'RELOGIN' AND auth_method = 'HEADLESS'`,
        [seed.user.id],
      );
      expect(Number(relogins[0]!.n)).toBeGreaterThanOrEqual(2);
    });

    it('refuses unknown refresh tokens, password-login ones and another tenant’s with 401', async () => {
      const post = (refresh_token: unknown, token = headless) =>
        t.http.post('/api/v1/headless/access_token/refresh').set(bearer(token)).send({ refresh_token });
      expectError(await post('x'.repeat(43)), 401, 'INVALID_REFRESH_TOKEN');
      const password = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
      expectError(await post(password.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
      const otherToken = (await createToken(other.tenant.id)).token;
      const foreign = await memberTokens({ email: other.email }, otherToken);
      expectError(await post(foreign.refresh_token), 401, 'INVALID_REFRESH_TOKEN');
      // ... which still works for its own tenant.
      expect((await post(foreign.refresh_token, otherToken)).status).toBe(200);
    });
  });

  describe('revocation', () => {
    it('revokes an access token: 200 null; the token is refused, the refresh token still works', async () => {
      const tokens = await memberTokens({ sso_id: seed.user.ssoId });
      const res = await t.http
        .post('/api/v1/headless/access_token/revoke')
        .set(bearer(headless))
        .send({ access_token: tokens.access_token });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.text).toBe('null');
      expectError(await me(tokens.access_token), 401, 'UNAUTHORIZED');
      const refreshed = await t.http
        .post('/api/v1/headless/access_token/refresh')
        .set(bearer(headless))
        .send({ refresh_token: tokens.refresh_token });
      expect(refreshed.status).toBe(200);
      expect((await me(refreshed.body.access_token)).status).toBe(200);

      // Revoking it again, or a token that is not a member token of this tenant: 4xx + success false.
      const again = await t.http
        .post('/api/v1/headless/access_token/revoke')
        .set(bearer(headless))
        .send({ access_token: tokens.access_token });
      expectError(again, 401, 'INVALID_TOKEN');
      expect(again.body.success).toBe(false);
      const password = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
      const otherToken = (await createToken(other.tenant.id)).token;
      const foreign = await memberTokens({ email: other.email }, otherToken);
      for (const bad of ['garbage', 'a.b.c', password.accessToken, foreign.access_token]) {
        const r = await t.http
          .post('/api/v1/headless/access_token/revoke')
          .set(bearer(headless))
          .send({ access_token: bad });
        expectError(r, 401, 'INVALID_TOKEN');
        expect(r.body.success).toBe(false);
      }
      // None of the refused revocations touched those tokens.
      expect((await me(password.accessToken)).status).toBe(200);
      expect((await me(foreign.access_token)).status).toBe(200);
    });

    it('revokes a refresh token: 200 null; the refresh token and the session’s access tokens are refused', async () => {
      const tokens = await memberTokens({ community_member_id: seed.membership.memberId });
      const refreshed = await t.http
        .post('/api/v1/headless/access_token/refresh')
        .set(bearer(headless))
        .send({ refresh_token: tokens.refresh_token });
      const res = await t.http
        .post('/api/v1/headless/refresh_token/revoke')
        .set(bearer(headless))
        .send({ refresh_token: tokens.refresh_token });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.text).toBe('null');
      expectError(
        await t.http
          .post('/api/v1/headless/access_token/refresh')
          .set(bearer(headless))
          .send({ refresh_token: tokens.refresh_token }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      expectError(await me(tokens.access_token), 401, 'UNAUTHORIZED');
      expectError(await me(refreshed.body.access_token), 401, 'UNAUTHORIZED');
      const logout = await sql(
        t,
        `SELECT 1 FROM login_activity WHERE actor = $1 AND login_type = 'LOGOUT' AND auth_method = 'HEADLESS'`,
        [seed.user.id],
      );
      expect(logout.length).toBeGreaterThanOrEqual(1);

      const again = await t.http
        .post('/api/v1/headless/refresh_token/revoke')
        .set(bearer(headless))
        .send({ refresh_token: tokens.refresh_token });
      expectError(again, 401, 'INVALID_REFRESH_TOKEN');
      expect(again.body.success).toBe(false);
      const password = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
      const r = await t.http
        .post('/api/v1/headless/refresh_token/revoke')
        .set(bearer(headless))
        .send({ refresh_token: password.refreshToken });
      expectError(r, 401, 'INVALID_REFRESH_TOKEN');
      expect(r.body.success).toBe(false);
      expect((await me(password.accessToken)).status).toBe(200);
    });

    it('every failure of a revoke route carries success false, the guard’s 401 and 422 included', async () => {
      for (const path of ['/api/v1/headless/access_token/revoke', '/api/v1/headless/refresh_token/revoke']) {
        const noAuth = await t.http.post(path).send({ access_token: 'x', refresh_token: 'x' });
        expectError(noAuth, 401, 'UNAUTHORIZED');
        expect(noAuth.body.success).toBe(false);
        const invalid = await t.http.post(path).set(bearer(headless)).send({ nope: 1 });
        expectError(invalid, 422, 'VALIDATION_FAILED');
        expect(invalid.body.success).toBe(false);
      }
    });
  });

  describe('malformed input on every headless route', () => {
    /** Live sessions: no refused request may start or end one. */
    const state = async () => sql(t, `SELECT count(*) AS n FROM session WHERE revoked_at IS NULL`);
    const post = { method: 'post', headers: () => bearer(headless), state } as const;
    const refreshToken = { refresh_token: 'x'.repeat(43) };
    describeMalformed(
      () => t.http,
      [
        {
          ...post,
          path: '/api/v1/headless/auth_token',
          valid: () => ({ email: 'nobody@example.com' }),
          validAnswer: answer(404, 'NOT_FOUND'),
          // Exactly one of community_member_id, email and sso_id: without any, the body is named.
          empty: invalid('body'),
          fields: { email: { missing: invalid('body') } },
        },
        {
          ...post,
          path: '/api/v1/headless/access_token/refresh',
          valid: () => refreshToken,
          validAnswer: answer(401, 'INVALID_REFRESH_TOKEN'),
        },
        {
          ...post,
          path: '/api/v1/headless/access_token/revoke',
          valid: () => ({ access_token: 'a.b.c' }),
          validAnswer: answer(401, 'INVALID_TOKEN'),
        },
        {
          ...post,
          path: '/api/v1/headless/refresh_token/revoke',
          valid: () => refreshToken,
          validAnswer: answer(401, 'INVALID_REFRESH_TOKEN'),
        },
      ],
    );
  });
});
