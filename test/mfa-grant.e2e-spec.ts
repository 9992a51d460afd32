import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed, STRONG_PASSWORD, unique } from './support/fixtures.js';
import { MailCatcher } from './support/mail-catcher.js';
import {
  bearer,
  enrollTotp,
  expectGrantTokens,
  GrantTokens,
  passwordGrant,
  sessionAuthMethod,
} from './support/mfa.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { TotpUser, wrongCode } from './support/totp.js';

/** API.md section 8: the password grant with MFA, the MFA grant, MFA methods, SSO tokens, sessions. */
describe('password grant with MFA (/auth/v2/oauth1/*, /auth/v2/mfa/methods)', () => {
  let t: TestApp;
  const mail = new MailCatcher();

  beforeAll(async () => {
    await mail.start();
    t = await createTestApp({
      SMTP_URL: mail.url,
      MAIL_FROM: 'auth@example.com',
      RATE_LIMIT_PER_ADDRESS: '1000',
    });
  });
  afterAll(async () => {
    await t?.close();
    await mail.stop();
  });

  const me = (accessToken: string) => t.http.get('/auth/me').set(bearer(accessToken));

  describe('POST /auth/v2/oauth1/tokens', () => {
    let seed: Seed;
    beforeAll(async () => {
      seed = await seedTenant(t, { client: { public: true } });
    });

    it('answers {id, accessToken, refreshToken, expiresAt, userId} for a user without MFA', async () => {
      const res = await passwordGrant(t, seed);
      const body = expectGrantTokens(res);
      expect(body.userId).toBe(seed.user.id);
      expect(await sessionAuthMethod(t, body.id)).toBe('PASSWORD');
      expect((await me(body.accessToken)).status).toBe(200);
    });

    it('needs no secret, even for a confidential client; an unknown client is 401 INVALID_CLIENT', async () => {
      const confidential = await seedTenant(t);
      expectGrantTokens(await passwordGrant(t, confidential));
      expectError(await passwordGrant(t, seed, { clientId: 'no-such-client' }), 401, 'INVALID_CLIENT');
    });

    it('answers 401 INVALID_CREDENTIALS alike for a wrong password and an unknown user', async () => {
      const wrong = await passwordGrant(t, seed, { password: 'not-the-password-at-all' });
      expectError(wrong, 401, 'INVALID_CREDENTIALS');
      const unknown = await passwordGrant(t, seed, { email: 'nobody@example.com' });
      expectError(unknown, 401, 'INVALID_CREDENTIALS');
      expect(unknown.body.message).toBe(wrong.body.message);
    });

    it('refuses an inactive member with 403 and the status, after the password matched', async () => {
      const locked = await seedTenant(t, { user: { status: 'LOCKED' } });
      expectError(await passwordGrant(t, locked), 403, 'LOCKED');
    });

    it('rotates with {refreshToken}; a rotated token presented again revokes the session', async () => {
      const first = expectGrantTokens(await passwordGrant(t, seed));
      const res = await t.http.post('/auth/v2/oauth1/tokens').send({ refreshToken: first.refreshToken });
      const second = expectGrantTokens(res);
      expect(second.id).toBe(first.id);
      expect(second.userId).toBe(seed.user.id);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expectError(
        await t.http.post('/auth/v2/oauth1/tokens').send({ refreshToken: first.refreshToken }),
        401,
        'REFRESH_TOKEN_REUSED',
      );
      expectError(
        await t.http.post('/auth/v2/oauth1/tokens').send({ refreshToken: second.refreshToken }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      expectError(
        await t.http.post('/auth/v2/oauth1/tokens').send({ refreshToken: 'x'.repeat(43) }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
    });

    it('refuses a body mixing both shapes, or half of one, with 422', async () => {
      const mixed = await t.http.post('/auth/v2/oauth1/tokens').send({
        email: seed.email,
        password: seed.password,
        clientId: seed.client.clientId,
        refreshToken: 'x'.repeat(43),
      });
      expectError(mixed, 422, 'VALIDATION_FAILED');
      expect(mixed.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'refreshToken' })]),
      );
      const half = await t.http
        .post('/auth/v2/oauth1/tokens')
        .send({ email: seed.email, password: seed.password });
      expectError(half, 422, 'VALIDATION_FAILED');
      expect(half.body.details.map((d: { field: string }) => d.field)).toEqual(
        expect.arrayContaining(['clientId']),
      );
      expect(half.body.details.every((d: { field: string }) => d.field === 'clientId')).toBe(true);
    });
  });

  describe('enabling an authenticator, then the MFA grant', () => {
    let seed: Seed;
    let session: GrantTokens;
    let enrolled: Awaited<ReturnType<typeof enrollTotp>>;

    beforeAll(async () => {
      seed = await seedTenant(t, { client: { public: true } });
      session = expectGrantTokens(await passwordGrant(t, seed));
    });

    it('adding an authenticator needs the password (the account has one)', async () => {
      const none = await t.http.post('/auth/v2/mfa/methods/totp').set(bearer(session.accessToken)).send({});
      expectError(none, 401, 'INVALID_CREDENTIALS');
      const wrong = await t.http
        .post('/auth/v2/mfa/methods/totp')
        .set(bearer(session.accessToken))
        .send({ password: 'wrong-password-here' });
      expectError(wrong, 401, 'INVALID_CREDENTIALS');
      expectError(
        await t.http.post('/auth/v2/mfa/methods/totp').send({ password: seed.password }),
        401,
        'UNAUTHORIZED',
      );
    });

    it('answers the secret, an otpauth URI and a QR code; the method is pending until confirmed', async () => {
      const res = await t.http
        .post('/auth/v2/mfa/methods/totp')
        .set(bearer(session.accessToken))
        .send({ password: seed.password });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toContain('no-store');
      const { methodId, secret, otpauthUrl, qrCode } = res.body;
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      const uri = new URL(otpauthUrl);
      expect(uri.protocol).toBe('otpauth:');
      expect(uri.host).toBe('totp');
      expect(uri.searchParams.get('secret')).toBe(secret);
      expect(decodeURIComponent(uri.pathname)).toContain(seed.email);
      expect(qrCode).toMatch(/^data:image\/png;base64,/);
      const list = await t.http.get('/auth/v2/mfa/methods').set(bearer(session.accessToken));
      expect(list.status).toBe(200);
      expect(list.body).toEqual([
        expect.objectContaining({ id: methodId, type: 'totp', confirmed: false, remainingCodes: null }),
      ]);
      expect(JSON.stringify(list.body)).not.toContain(secret);
      // The secret is stored encrypted, never in clear.
      const rows = await sql(t, `SELECT secret_enc FROM mfa_method WHERE id = $1`, [methodId]);
      expect(JSON.stringify(rows)).not.toContain(secret);
      // Still pending: the password grant needs no second factor yet.
      expectGrantTokens(await passwordGrant(t, seed));
    });

    it('confirms with a code computed from the secret; answers 10 recovery codes once; MFA is on', async () => {
      enrolled = await enrollTotp(t, session.accessToken, { password: seed.password });
      expect(enrolled.recoveryCodes).toHaveLength(10);
      expect(new Set(enrolled.recoveryCodes).size).toBe(10);
      expect((await me(session.accessToken)).body.mfaEnabled).toBe(true);
      const list = await t.http.get('/auth/v2/mfa/methods').set(bearer(session.accessToken));
      expect(list.body).toEqual([
        expect.objectContaining({ id: enrolled.methodId, type: 'totp', confirmed: true }),
        expect.objectContaining({ type: 'recoveryCode', confirmed: true, remainingCodes: 10 }),
      ]);
      // Recovery codes are stored hashed only.
      const stored = await sql(t, `SELECT code_hash FROM mfa_recovery_code`);
      for (const code of enrolled.recoveryCodes) expect(JSON.stringify(stored)).not.toContain(code);
      // Confirming again: 409.
      const again = await t.http
        .post(`/auth/v2/mfa/methods/${enrolled.methodId}/confirm`)
        .set(bearer(session.accessToken))
        .send({ code: wrongCode(enrolled.secret) });
      expectError(again, 409, 'MFA_ALREADY_CONFIGURED');
    });

    it('the password grant now answers 401 MFA_REQUIRED with mfa {token, methods} and no tokens', async () => {
      const res = await passwordGrant(t, seed);
      expectError(res, 401, 'MFA_REQUIRED');
      expect(res.body.accessToken).toBeUndefined();
      expect(res.body.mfa).toEqual({
        token: expect.stringMatching(/^[\w-]{43}$/),
        methods: [
          { id: enrolled.methodId, type: 'totp', name: expect.any(String) },
          { id: expect.any(String), type: 'recoveryCode', name: expect.any(String) },
        ],
      });
      // /auth/login-token of section 2 refuses it too.
      expectError(
        await t.http.post('/auth/login-token').send({
          client_id: seed.client.clientId,
          username: seed.email,
          password: seed.password,
        }),
        401,
        'MFA_REQUIRED',
      );
    });

    it('the MFA grant refuses a wrong code, a replayed code and an unknown method, then accepts a fresh code', async () => {
      const { mfa } = (await passwordGrant(t, seed)).body;
      const grant = (body: Record<string, unknown>) =>
        t.http
          .post('/auth/v2/oauth1/tokens/mfa')
          .send({ token: mfa.token, methodId: enrolled.methodId, ...body });
      expectError(await grant({ code: wrongCode(enrolled.secret) }), 401, 'INVALID_MFA_CODE');
      // The step used to confirm the method was spent there: replaying it is refused.
      expectError(await grant({ code: enrolled.totp.replay(enrolled.secret) }), 401, 'INVALID_MFA_CODE');
      expectError(await grant({ code: '123456', methodId: 'not-a-method' }), 401, 'INVALID_MFA_CODE');
      const { code } = await enrolled.totp.next(enrolled.secret);
      const tokens = expectGrantTokens(await grant({ code }));
      expect(tokens.userId).toBe(seed.user.id);
      expect(await sessionAuthMethod(t, tokens.id)).toBe('TOTP');
      const [activity] = await sql<{ auth_method: string }>(
        t,
        `SELECT auth_method FROM login_activity WHERE actor = $1 AND login_type = 'ACCESS' ORDER BY login_time DESC LIMIT 1`,
        [seed.user.id],
      );
      expect(activity!.auth_method).toBe('TOTP');
      // The mfa token works once.
      expectError(await grant({ code }), 401, 'INVALID_TOKEN');
      // The same code again, through a new challenge: refused (each step once per user).
      const again = (await passwordGrant(t, seed)).body.mfa;
      expectError(
        await t.http
          .post('/auth/v2/oauth1/tokens/mfa')
          .send({ token: again.token, methodId: enrolled.methodId, code }),
        401,
        'INVALID_MFA_CODE',
      );
    });

    it('a recovery code works once and not twice', async () => {
      const { mfa } = (await passwordGrant(t, seed)).body;
      const recoveryMethod = (mfa.methods as { id: string; type: string }[]).find(
        (m) => m.type === 'recoveryCode',
      )!;
      const code = enrolled.recoveryCodes[0]!.toUpperCase();
      const tokens = expectGrantTokens(
        await t.http
          .post('/auth/v2/oauth1/tokens/mfa')
          .send({ token: mfa.token, methodId: recoveryMethod.id, code }),
      );
      expect(await sessionAuthMethod(t, tokens.id)).toBe('RECOVERY_CODE');
      const second = (await passwordGrant(t, seed)).body.mfa;
      expectError(
        await t.http
          .post('/auth/v2/oauth1/tokens/mfa')
          .send({ token: second.token, methodId: recoveryMethod.id, code }),
        401,
        'INVALID_MFA_CODE',
      );
      const list = await t.http.get('/auth/v2/mfa/methods').set(bearer(tokens.accessToken));
      expect(list.body.find((m: { type: string }) => m.type === 'recoveryCode').remainingCodes).toBe(9);
    });

    it('the mfa token is burnt after 5 wrong codes', async () => {
      const { mfa } = (await passwordGrant(t, seed)).body;
      for (let i = 0; i < 5; i++) {
        expectError(
          await t.http
            .post('/auth/v2/oauth1/tokens/mfa')
            .send({ token: mfa.token, methodId: enrolled.methodId, code: wrongCode(enrolled.secret) }),
          401,
          'INVALID_MFA_CODE',
        );
      }
      expectError(
        await t.http
          .post('/auth/v2/oauth1/tokens/mfa')
          .send({ token: mfa.token, methodId: enrolled.methodId, code: enrolled.recoveryCodes[1] }),
        401,
        'INVALID_TOKEN',
      );
    });

    it('the mfa token expires after 5 minutes', async () => {
      const { mfa } = (await passwordGrant(t, seed)).body;
      const [row] = await sql<{ minutes: number }>(
        t,
        `SELECT round(extract(epoch FROM expires_at - created_at) / 60)::int AS minutes FROM one_time_token
         WHERE purpose = 'mfa-challenge' AND user_id = $1 ORDER BY created_at DESC LIMIT 1`,
        [seed.user.id],
      );
      expect(row!.minutes).toBe(5);
      await sql(
        t,
        `UPDATE one_time_token SET expires_at = now() - interval '1 second' WHERE purpose = 'mfa-challenge' AND user_id = $1`,
        [seed.user.id],
      );
      expectError(
        await t.http
          .post('/auth/v2/oauth1/tokens/mfa')
          .send({ token: mfa.token, methodId: enrolled.methodId, code: enrolled.recoveryCodes[1] }),
        401,
        'INVALID_TOKEN',
      );
    });
  });

  describe('a client that requires MFA, for a user without a method', () => {
    it('offers a code sent by email, which works once and ends in authMethod OTP', async () => {
      const seed = await seedTenant(t, { client: { public: true, mfaRequired: true } });
      const res = await passwordGrant(t, seed);
      expectError(res, 401, 'MFA_REQUIRED');
      const { token, methods } = res.body.mfa;
      expect(methods).toEqual([{ id: expect.any(String), type: 'email', name: expect.any(String) }]);
      const mailed = await mail.waitFor((m) => m.to.includes(seed.email.toLowerCase()));
      const code = MailCatcher.code(mailed)!;
      expect(code).toMatch(/^\d{6}$/);
      const stored = await sql(t, `SELECT code_hash FROM otp_code WHERE user_id = $1`, [seed.user.id]);
      expect(JSON.stringify(stored)).not.toContain(code);
      const tokens = expectGrantTokens(
        await t.http.post('/auth/v2/oauth1/tokens/mfa').send({ token, methodId: methods[0].id, code }),
      );
      expect(await sessionAuthMethod(t, tokens.id)).toBe('OTP');
      const second = (await passwordGrant(t, seed)).body.mfa;
      expectError(
        await t.http
          .post('/auth/v2/oauth1/tokens/mfa')
          .send({ token: second.token, methodId: methods[0].id, code }),
        401,
        'INVALID_MFA_CODE',
      );
    });
  });

  describe('managing MFA methods', () => {
    it('an account without a password and without a method adds one with no proof', async () => {
      const seed = await seedTenant(t, { client: { public: true } });
      const email = `${unique('nopass')}@example.com`;
      const { user } = await seed.provisioning.users.createUser({
        email,
        tenantId: seed.tenant.id,
        role: 'member',
      });
      // A session for it, as a social or SSO login would start one.
      const owner = await seed.provisioning.clients.requireClient(seed.client.clientId);
      const { SessionsService } = await import('../src/tokens/sessions.service.js');
      const started = await t.app.get(SessionsService).start({
        userId: user.id,
        tenantId: seed.tenant.id,
        client: owner,
        authMethod: 'SSO_TOKEN',
        ctx: { ip: '127.0.0.1', userAgent: null, deviceId: null },
      });
      const enrolled = await enrollTotp(t, started.accessToken, {});
      // Now it has a method: a second authenticator needs a code of the first.
      expectError(
        await t.http.post('/auth/v2/mfa/methods/totp').set(bearer(started.accessToken)).send({}),
        401,
        'INVALID_CREDENTIALS',
      );
      const { code } = await enrolled.totp.next(enrolled.secret);
      const second = await t.http
        .post('/auth/v2/mfa/methods/totp')
        .set(bearer(started.accessToken))
        .send({ code });
      expect(second.status).toBe(200);
      expect(second.body.methodId).not.toBe(enrolled.methodId);
    });

    it('removing the last method needs proof, turns MFA off and ends the other sessions', async () => {
      const seed = await seedTenant(t, { client: { public: true } });
      const session = expectGrantTokens(await passwordGrant(t, seed));
      const enrolled = await enrollTotp(t, session.accessToken, { password: seed.password });
      // Another session, through the MFA grant.
      const { mfa } = (await passwordGrant(t, seed)).body;
      const other = expectGrantTokens(
        await t.http.post('/auth/v2/oauth1/tokens/mfa').send({
          token: mfa.token,
          methodId: enrolled.methodId,
          code: (await enrolled.totp.next(enrolled.secret)).code,
        }),
      );
      const del = (id: string, body: Record<string, unknown>) =>
        t.http.delete(`/auth/v2/mfa/methods/${id}`).set(bearer(session.accessToken)).send(body);
      expectError(await del(enrolled.methodId, {}), 401, 'INVALID_CREDENTIALS');
      expectError(
        await del(enrolled.methodId, { code: wrongCode(enrolled.secret) }),
        401,
        'INVALID_MFA_CODE',
      );
      expectError(
        await del(enrolled.methodId, { password: 'wrong-password-here' }),
        401,
        'INVALID_CREDENTIALS',
      );
      expectError(
        await del('00000000-0000-4000-8000-000000000000', { password: seed.password }),
        404,
        'NOT_FOUND',
      );
      expectError(await del('not-a-uuid', { password: seed.password }), 404, 'NOT_FOUND');
      // Still on, and the other session still works.
      expect((await me(other.accessToken)).status).toBe(200);
      const res = await del(enrolled.methodId, { code: enrolled.recoveryCodes[0] });
      expect(res.status).toBe(204);
      expect((await t.http.get('/auth/v2/mfa/methods').set(bearer(session.accessToken))).body).toEqual([]);
      expect((await me(session.accessToken)).body.mfaEnabled).toBe(false);
      expectError(await me(other.accessToken), 401, 'UNAUTHORIZED');
      expectError(
        await t.http.post('/auth/v2/oauth1/tokens').send({ refreshToken: other.refreshToken }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      expectGrantTokens(await passwordGrant(t, seed));
    });

    it("another user's method is 404, and confirming it too", async () => {
      const a = await seedTenant(t, { client: { public: true } });
      const b = await seedTenant(t, { client: { public: true } });
      const sa = expectGrantTokens(await passwordGrant(t, a));
      const sb = expectGrantTokens(await passwordGrant(t, b));
      const setup = await t.http
        .post('/auth/v2/mfa/methods/totp')
        .set(bearer(sa.accessToken))
        .send({ password: STRONG_PASSWORD });
      const totp = new TotpUser();
      expectError(
        await t.http
          .post(`/auth/v2/mfa/methods/${setup.body.methodId}/confirm`)
          .set(bearer(sb.accessToken))
          .send({ code: (await totp.next(setup.body.secret)).code }),
        404,
        'NOT_FOUND',
      );
      expectError(
        await t.http
          .delete(`/auth/v2/mfa/methods/${setup.body.methodId}`)
          .set(bearer(sb.accessToken))
          .send({ password: STRONG_PASSWORD }),
        404,
        'NOT_FOUND',
      );
      const wrong = await t.http
        .post(`/auth/v2/mfa/methods/${setup.body.methodId}/confirm`)
        .set(bearer(sa.accessToken))
        .send({ code: wrongCode(setup.body.secret) });
      expectError(wrong, 401, 'INVALID_MFA_CODE');
    });
  });

  describe('token list and revocation', () => {
    it('lists the caller’s live sessions with current; a revoked one cannot refresh and its access token is refused', async () => {
      const seed = await seedTenant(t, { client: { public: true } });
      const a = expectGrantTokens(await passwordGrant(t, seed).set('User-Agent', 'phone-app/1.0'));
      const b = expectGrantTokens(await passwordGrant(t, seed).set('User-Agent', 'desktop/2.0'));
      const list = await t.http.get('/auth/v2/oauth1/tokens').set(bearer(a.accessToken));
      expect(list.status).toBe(200);
      expect(list.body).toHaveLength(2);
      const byId = new Map((list.body as { id: string }[]).map((s) => [s.id, s]));
      expect(byId.get(a.id)).toEqual({
        id: a.id,
        clientId: seed.client.clientId,
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        expiresAt: expect.any(String),
        userAgent: 'phone-app/1.0',
        ipAddress: expect.stringContaining('127.0.0.1'),
        current: true,
      });
      expect(byId.get(b.id)).toMatchObject({ current: false, userAgent: 'desktop/2.0' });

      // Someone else cannot see or end them.
      const stranger = await seedTenant(t, { client: { public: true } });
      const s = expectGrantTokens(await passwordGrant(t, stranger));
      expect((await t.http.get('/auth/v2/oauth1/tokens').set(bearer(s.accessToken))).body).toHaveLength(1);
      expectError(
        await t.http.delete(`/auth/v2/oauth1/tokens/${b.id}`).set(bearer(s.accessToken)),
        404,
        'NOT_FOUND',
      );
      expectError(
        await t.http.delete('/auth/v2/oauth1/tokens/nope').set(bearer(s.accessToken)),
        404,
        'NOT_FOUND',
      );
      expectError(await t.http.get('/auth/v2/oauth1/tokens'), 401, 'UNAUTHORIZED');

      const del = await t.http.delete(`/auth/v2/oauth1/tokens/${b.id}`).set(bearer(a.accessToken));
      expect(del.status).toBe(204);
      expectError(await me(b.accessToken), 401, 'UNAUTHORIZED');
      expectError(
        await t.http.post('/auth/v2/oauth1/tokens').send({ refreshToken: b.refreshToken }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      expectError(
        await t.http.delete(`/auth/v2/oauth1/tokens/${b.id}`).set(bearer(a.accessToken)),
        404,
        'NOT_FOUND',
      );
      const after = await t.http.get('/auth/v2/oauth1/tokens').set(bearer(a.accessToken));
      expect(after.body.map((x: { id: string }) => x.id)).toEqual([a.id]);
      expect((await me(a.accessToken)).status).toBe(200);
    });
  });

  describe('SSO tokens', () => {
    it('generate then consume: a new session of the same user, once', async () => {
      const seed = await seedTenant(t, { client: { public: true } });
      const session = expectGrantTokens(await passwordGrant(t, seed));
      const gen = await t.http.post('/auth/v2/oauth1/ssoTokens/generate').set(bearer(session.accessToken));
      expect(gen.status).toBe(200);
      expect(gen.headers['cache-control']).toContain('no-store');
      expect(gen.body).toEqual({
        ssoToken: expect.stringMatching(/^[\w-]{43}$/),
        expiresAt: expect.any(String),
      });
      const ttl = Date.parse(gen.body.expiresAt) - Date.now();
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
      const consumed = expectGrantTokens(
        await t.http.post('/auth/v2/oauth1/ssoTokens/consume').send({ ssoToken: gen.body.ssoToken }),
      );
      expect(consumed.userId).toBe(seed.user.id);
      expect(consumed.id).not.toBe(session.id);
      expect(await sessionAuthMethod(t, consumed.id)).toBe('SSO_TOKEN');
      expect((await me(consumed.accessToken)).body.id).toBe(seed.user.id);
      expectError(
        await t.http.post('/auth/v2/oauth1/ssoTokens/consume').send({ ssoToken: gen.body.ssoToken }),
        401,
        'INVALID_TOKEN',
      );
      expectError(await t.http.post('/auth/v2/oauth1/ssoTokens/generate'), 401, 'UNAUTHORIZED');
    });

    it('for another client: refused requests (unknown client, not a member) do not spend the token', async () => {
      const seed = await seedTenant(t, { client: { public: true } });
      const session = expectGrantTokens(await passwordGrant(t, seed));
      const { ssoToken } = (
        await t.http.post('/auth/v2/oauth1/ssoTokens/generate').set(bearer(session.accessToken))
      ).body;
      const consume = (clientId?: string) =>
        t.http.post('/auth/v2/oauth1/ssoTokens/consume').send({ ssoToken, clientId });
      expectError(await consume('no-such-client'), 401, 'INVALID_CLIENT');
      const elsewhere = await seedTenant(t, { client: { public: true } });
      // A client of another tenant: an SSO token never changes tenant (API.md section 12).
      expectError(await consume(elsewhere.client.clientId), 403, 'FORBIDDEN');
      const mobile = await seed.provisioning.clients.createClient({
        clientId: unique('mobile'),
        name: 'Mobile app',
        tenantId: seed.tenant.id,
        redirectUrls: ['https://m.example.com/cb'],
        public: true,
      });
      const tokens = expectGrantTokens(await consume(mobile.client.clientId));
      const claims = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1]!, 'base64url').toString());
      expect(claims.cid).toBe(mobile.client.clientId);
    });

    it('cannot skip a second factor the target client requires', async () => {
      const seed = await seedTenant(t, { client: { public: true } });
      const session = expectGrantTokens(await passwordGrant(t, seed));
      const strict = await seed.provisioning.clients.createClient({
        clientId: unique('strict'),
        name: 'Strict app',
        tenantId: seed.tenant.id,
        redirectUrls: ['https://s.example.com/cb'],
        public: true,
        mfaRequired: true,
      });
      const { ssoToken } = (
        await t.http.post('/auth/v2/oauth1/ssoTokens/generate').set(bearer(session.accessToken))
      ).body;
      expectError(
        await t.http
          .post('/auth/v2/oauth1/ssoTokens/consume')
          .send({ ssoToken, clientId: strict.client.clientId }),
        401,
        'MFA_REQUIRED',
      );
    });

    it('expires after 60 seconds', async () => {
      const seed = await seedTenant(t, { client: { public: true } });
      const session = expectGrantTokens(await passwordGrant(t, seed));
      const { ssoToken } = (
        await t.http.post('/auth/v2/oauth1/ssoTokens/generate').set(bearer(session.accessToken))
      ).body;
      await sql(
        t,
        `UPDATE one_time_token SET expires_at = now() - interval '1 second' WHERE purpose = 'sso-token' AND user_id = $1`,
        [seed.user.id],
      );
      expectError(
        await t.http.post('/auth/v2/oauth1/ssoTokens/consume').send({ ssoToken }),
        401,
        'INVALID_TOKEN',
      );
    });
  });
});
