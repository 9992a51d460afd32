import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';
import { expectStoredOnlyAsHash, sha256 } from './support/stored-hash.js';

describe('token routes', () => {
  let t: TestApp;
  let seed: Seed;

  const login = async (s: Seed = seed) =>
    expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
    seed = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST /auth/token', () => {
    it('a code exchanged twice in parallel yields exactly one token pair', async () => {
      for (let round = 0; round < 5; round++) {
        const { body } = await t.http.post('/auth/login').send(loginBody(seed));
        const results = await Promise.all(
          Array.from({ length: 8 }, () =>
            t.http.post('/auth/token').send({ code: body.code, clientId: seed.client.clientId }),
          ),
        );
        const ok = results.filter((r) => r.status === 200);
        expect(ok).toHaveLength(1);
        for (const r of results.filter((r) => r.status !== 200)) expectError(r, 401, 'INVALID_CODE');
      }
    });

    it("refuses another client's code, an unknown code and an expired code with 401 INVALID_CODE", async () => {
      const other = await seedTenant(t);
      const { body } = await t.http.post('/auth/login').send(loginBody(seed));
      expectError(
        await t.http.post('/auth/token').send({ code: body.code, clientId: other.client.clientId }),
        401,
        'INVALID_CODE',
      );
      // The refused attempt did not spend it.
      expectTokenResponse(
        await t.http.post('/auth/token').send({ code: body.code, clientId: seed.client.clientId }),
      );
      expectError(
        await t.http.post('/auth/token').send({ code: 'x'.repeat(43), clientId: seed.client.clientId }),
        401,
        'INVALID_CODE',
      );

      const fresh = await t.http.post('/auth/login').send(loginBody(seed));
      await sql(t, `UPDATE auth_code SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
      expectError(
        await t.http.post('/auth/token').send({ code: fresh.body.code, clientId: seed.client.clientId }),
        401,
        'INVALID_CODE',
      );
    });

    it('refuses a codeVerifier for a code issued without a challenge (no PKCE downgrade)', async () => {
      const { body } = await t.http.post('/auth/login').send(loginBody(seed));
      const res = await t.http
        .post('/auth/token')
        .send({ code: body.code, clientId: seed.client.clientId, codeVerifier: 'a'.repeat(43) });
      expectError(res, 401, 'INVALID_CODE');
    });

    it('stores codes only as hashes', async () => {
      const { body } = await t.http.post('/auth/login').send(loginBody(seed));
      await expectStoredOnlyAsHash(
        t,
        'auth_code',
        'code_hash',
        sha256(body.code as string),
        body.code as string,
      );
    });

    it('answers 422 for missing or unknown fields', async () => {
      expectError(await t.http.post('/auth/token').send({ clientId: 'x' }), 422, 'VALIDATION_FAILED');
      expectError(
        await t.http.post('/auth/token').send({ code: 'x', clientId: 'y', extra: 1 }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await t.http.post('/auth/token').send({ code: 1, clientId: 'y' }),
        422,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('POST /auth/token-refresh', () => {
    it('rotates: a new refresh token each time, the old one is spent', async () => {
      const first = await login();
      const second = expectTokenResponse(
        await t.http
          .post('/auth/token-refresh')
          .set('device_id', 'pixel-9')
          .send({ refreshToken: first.refreshToken }),
      );
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(decodeClaims(second.accessToken).sid).toBe(decodeClaims(first.accessToken).sid);
      const third = expectTokenResponse(
        await t.http.post('/auth/token-refresh').send({ refreshToken: second.refreshToken }),
      );
      expect(third.refreshToken).not.toBe(second.refreshToken);
      const rows = await sql(
        t,
        `SELECT login_type, device_info FROM login_activity WHERE actor = $1 AND login_type = 'RELOGIN' AND device_info = 'pixel-9'`,
        [seed.user.id],
      );
      expect(rows).toHaveLength(1);
    });

    it('a rotated refresh token presented again answers 401 REFRESH_TOKEN_REUSED and kills the family', async () => {
      const first = await login();
      const second = expectTokenResponse(
        await t.http.post('/auth/token-refresh').send({ refreshToken: first.refreshToken }),
      );
      expect((await t.http.get('/auth/me').set(bearer(second.accessToken))).status).toBe(200);

      expectError(
        await t.http.post('/auth/token-refresh').send({ refreshToken: first.refreshToken }),
        401,
        'REFRESH_TOKEN_REUSED',
      );
      // The whole family is dead: the newest refresh token and the access tokens too.
      expectError(
        await t.http.post('/auth/token-refresh').send({ refreshToken: second.refreshToken }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      expectError(await t.http.get('/auth/me').set(bearer(second.accessToken)), 401, 'UNAUTHORIZED');
      expectError(await t.http.get('/auth/me').set(bearer(first.accessToken)), 401, 'UNAUTHORIZED');
      // Other sessions of the user are untouched.
      const other = await login();
      expect((await t.http.get('/auth/me').set(bearer(other.accessToken))).status).toBe(200);
    });

    it('concurrent refreshes of one token give exactly one success', async () => {
      const first = await login();
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          t.http.post('/auth/token-refresh').send({ refreshToken: first.refreshToken }),
        ),
      );
      const won = results.filter((r) => r.status === 200);
      expect(won).toHaveLength(1);
      // Every other one presented a token that was spent (before it was read, or between its
      // read and its rotation): reuse, which ends the session, the winner's new token included.
      for (const r of results.filter((r) => r.status !== 200)) expectError(r, 401, 'REFRESH_TOKEN_REUSED');
      expectError(
        await t.http.post('/auth/token-refresh').send({ refreshToken: won[0].body.refreshToken }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
    });

    it('answers 401 INVALID_REFRESH_TOKEN for an unknown or expired token', async () => {
      expectError(
        await t.http.post('/auth/token-refresh').send({ refreshToken: 'nope'.repeat(11) }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      const s = await seedTenant(t);
      const tokens = await login(s);
      await sql(
        t,
        `UPDATE refresh_token SET expires_at = now() - interval '1 second' WHERE session_id IN (SELECT id FROM session WHERE user_id = $1)`,
        [s.user.id],
      );
      expectError(
        await t.http.post('/auth/token-refresh').send({ refreshToken: tokens.refreshToken }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
    });

    it('refuses a refresh once the member was locked (403 LOCKED) without spending the token', async () => {
      const s = await seedTenant(t);
      const tokens = await login(s);
      await sql(t, `UPDATE membership SET status = 'LOCKED' WHERE user_id = $1`, [s.user.id]);
      expectError(
        await t.http.post('/auth/token-refresh').send({ refreshToken: tokens.refreshToken }),
        403,
        'LOCKED',
      );
      await sql(t, `UPDATE membership SET status = 'ACTIVE' WHERE user_id = $1`, [s.user.id]);
      expectTokenResponse(
        await t.http.post('/auth/token-refresh').send({ refreshToken: tokens.refreshToken }),
      );
    });

    it('stores refresh tokens only as hashes', async () => {
      const tokens = await login();
      await expectStoredOnlyAsHash(
        t,
        'refresh_token',
        'token_hash',
        sha256(tokens.refreshToken),
        tokens.refreshToken,
      );
    });

    it('answers 422 for a missing token or a malformed tenantId', async () => {
      expectError(await t.http.post('/auth/token-refresh').send({}), 422, 'VALIDATION_FAILED');
      expectError(
        await t.http.post('/auth/token-refresh').send({ refreshToken: 'x', tenantId: 'not-a-uuid' }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await t.http.post('/auth/token-refresh').send({ refreshToken: ['x'] }),
        422,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('POST /auth/switch-token', () => {
    it('switches a member of two tenants and refuses a non-member with 403 NOT_A_MEMBER', async () => {
      const s = await seedTenant(t);
      const second = await seedTenant(t);
      await s.provisioning.memberships.addMembership(s.user.id, second.tenant.id, second.role.id, 'ACTIVE');
      const tokens = await login(s);
      const switched = expectTokenResponse(
        await t.http
          .post('/auth/switch-token')
          .set(bearer(tokens.accessToken))
          .send({ refreshToken: tokens.refreshToken, tenantId: second.tenant.id }),
      );
      const claims = decodeClaims(switched.accessToken);
      expect(claims.tid).toBe(second.tenant.id);
      expect(claims.sub).toBe(s.user.id);
      const me = await t.http.get('/auth/me').set(bearer(switched.accessToken));
      expect(me.body.tenantId).toBe(second.tenant.id);
      expect(me.body.memberId).not.toBe(s.membership.memberId);

      const third = await seedTenant(t);
      const refused = await t.http
        .post('/auth/switch-token')
        .set(bearer(switched.accessToken))
        .send({ refreshToken: switched.refreshToken, tenantId: third.tenant.id });
      expectError(refused, 403, 'NOT_A_MEMBER');
      // The refused switch did not spend the refresh token.
      expectTokenResponse(
        await t.http.post('/auth/token-refresh').send({ refreshToken: switched.refreshToken }),
      );
    });

    it("refuses another user's refresh token and a missing Bearer", async () => {
      const mine = await login();
      const theirs = await login(await seedTenant(t));
      expectError(
        await t.http
          .post('/auth/switch-token')
          .set(bearer(mine.accessToken))
          .send({ refreshToken: theirs.refreshToken, tenantId: seed.tenant.id }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      expectError(
        await t.http
          .post('/auth/switch-token')
          .send({ refreshToken: mine.refreshToken, tenantId: seed.tenant.id }),
        401,
        'UNAUTHORIZED',
      );
      expectError(
        await t.http
          .post('/auth/switch-token')
          .set(bearer(mine.accessToken))
          .send({ refreshToken: mine.refreshToken }),
        422,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('GET /auth/me', () => {
    it('answers the user in the active tenant, never a hash or secret', async () => {
      const tokens = await login();
      const res = await t.http.get('/auth/me').set(bearer(tokens.accessToken));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: seed.user.id,
        email: seed.email,
        username: seed.email,
        firstName: null,
        lastName: null,
        tenantId: seed.tenant.id,
        role: 'member',
        permissions: ['ViewProfile'],
        memberId: seed.membership.memberId,
        mfaEnabled: false,
        profile: {},
      });
      expect(JSON.stringify(res.body)).not.toMatch(/argon2|password/i);
    });

    it('answers 401 UNAUTHORIZED without a token, with garbage, with a forged or expired token', async () => {
      expectError(await t.http.get('/auth/me'), 401, 'UNAUTHORIZED');
      expectError(await t.http.get('/auth/me').set(bearer('garbage')), 401, 'UNAUTHORIZED');
      expectError(await t.http.get('/auth/me').set('Authorization', 'Basic abc'), 401, 'UNAUTHORIZED');
      const tokens = await login();
      const [h, p, s] = tokens.accessToken.split('.');
      const forged = Buffer.from(
        JSON.stringify({ ...decodeClaims(tokens.accessToken), sub: '00000000-0000-0000-0000-000000000000' }),
      ).toString('base64url');
      expectError(await t.http.get('/auth/me').set(bearer(`${h}.${forged}.${s}`)), 401, 'UNAUTHORIZED');
      const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      expectError(await t.http.get('/auth/me').set(bearer(`${none}.${p}.`)), 401, 'UNAUTHORIZED');
      const short = await seedTenant(t, { client: { accessTokenExpiration: 1 } });
      // Not expectTokenResponse: on a loaded machine a 1 s token may already have expired here.
      const quickRes = await t.http.post('/auth/login-token').send(loginBody(short));
      expect(quickRes.status).toBe(200);
      const quick = quickRes.body as { accessToken: string };
      const { iat, exp } = decodeClaims(quick.accessToken) as { iat: number; exp: number };
      expect(exp - iat).toBe(1);
      // The clock, not a sleep: the app runs in this process, so moving Date.now moves its clock.
      try {
        vi.spyOn(Date, 'now').mockReturnValue(exp * 1000 - 1);
        expect((await t.http.get('/auth/me').set(bearer(quick.accessToken))).status).toBe(200);
        vi.spyOn(Date, 'now').mockReturnValue(exp * 1000);
        expectError(await t.http.get('/auth/me').set(bearer(quick.accessToken)), 401, 'UNAUTHORIZED');
      } finally {
        vi.restoreAllMocks();
      }
    });
  });

  describe('POST /logout', () => {
    it('revokes the family and the presented access token', async () => {
      const tokens = await login();
      const res = await t.http
        .post('/logout')
        .set(bearer(tokens.accessToken))
        .send({ refreshToken: tokens.refreshToken });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
      expectError(await t.http.get('/auth/me').set(bearer(tokens.accessToken)), 401, 'UNAUTHORIZED');
      expectError(
        await t.http.post('/auth/token-refresh').send({ refreshToken: tokens.refreshToken }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      const rows = await sql(
        t,
        `SELECT count(*)::int AS n FROM login_activity WHERE actor = $1 AND login_type = 'LOGOUT'`,
        [seed.user.id],
      );
      expect(rows[0]!.n).toBeGreaterThan(0);
    });

    it("answers 403 for another user's refresh token and 401 for an unknown one", async () => {
      const mine = await login();
      const theirs = await login(await seedTenant(t));
      expectError(
        await t.http
          .post('/logout')
          .set(bearer(mine.accessToken))
          .send({ refreshToken: theirs.refreshToken }),
        403,
        'FORBIDDEN',
      );
      expectError(
        await t.http
          .post('/logout')
          .set(bearer(mine.accessToken))
          .send({ refreshToken: 'x'.repeat(43) }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      // Nothing changed for either.
      expect((await t.http.get('/auth/me').set(bearer(theirs.accessToken))).status).toBe(200);
      expect((await t.http.get('/auth/me').set(bearer(mine.accessToken))).status).toBe(200);
    });

    it('needs a Bearer token and a body', async () => {
      const tokens = await login();
      expectError(
        await t.http.post('/logout').send({ refreshToken: tokens.refreshToken }),
        401,
        'UNAUTHORIZED',
      );
      expectError(
        await t.http.post('/logout').set(bearer(tokens.accessToken)).send({}),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await t.http
          .post('/logout')
          .set(bearer(tokens.accessToken))
          .set('Content-Type', 'application/json')
          .send('nope'),
        400,
        'BAD_REQUEST',
      );
    });
  });
});
