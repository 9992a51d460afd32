import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectTokenResponse } from './support/assertions.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { MailCatcher } from './support/mail-catcher.js';
import { bearer, enrollTotp, expectGrantTokens, passwordGrant, storedTotpSecret } from './support/mfa.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { TotpUser, wrongCode } from './support/totp.js';

/** API.md section 4: OTP by email/SMS, and the authenticator app of the login-code flow. */
describe('OTP and authenticator MFA (/auth/send-otp, /auth/verify-otp, /auth/*-qr-code)', () => {
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

  const sendOtp = (seed: Seed, extra: Record<string, unknown> = {}) =>
    t.http
      .post('/auth/send-otp')
      .send({ client_id: seed.client.clientId, client_secret: seed.clientSecret, key: seed.email, ...extra });
  const verifyOtp = (key: string, otp: string) => t.http.post('/auth/verify-otp').send({ key, otp });
  const exchange = (seed: Seed, code: string) =>
    t.http.post('/auth/token').send({ code, clientId: seed.client.clientId });
  const loginCode = async (seed: Seed): Promise<string> => {
    const res = await t.http.post('/auth/login').send(loginBody(seed));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.code as string;
  };
  /** Sends an OTP to the seeded user and answers the code read from the mail that arrived. */
  const mailedCode = async (seed: Seed, extra: Record<string, unknown> = {}): Promise<string> => {
    const before = mail.for(seed.email).length;
    const res = await sendOtp(seed, extra);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ success: true });
    const message = await mail.waitFor(
      (m) => m.to.includes(seed.email.toLowerCase()) && mail.for(seed.email).indexOf(m) >= before,
    );
    return MailCatcher.code(message)!;
  };
  const authMethodOf = async (accessToken: string) => {
    const sid = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()).sid as string;
    const [row] = await sql<{ auth_method: string }>(t, `SELECT auth_method FROM session WHERE id = $1`, [
      sid,
    ]);
    const [activity] = await sql<{ auth_method: string }>(
      t,
      `SELECT auth_method FROM login_activity WHERE token_payload_enc IS NOT NULL AND login_type = 'ACCESS'
       ORDER BY login_time DESC LIMIT 1`,
    );
    expect(activity!.auth_method).toBe(row!.auth_method);
    return row!.auth_method;
  };

  describe('POST /auth/send-otp', () => {
    it('answers {success: true} for a known and an unknown key alike, mailing only the known user', async () => {
      const seed = await seedTenant(t);
      const code = await mailedCode(seed);
      expect(code).toMatch(/^\d{6}$/);
      const unknown = await sendOtp(seed, { key: 'nobody-here@example.com' });
      expect(unknown.status).toBe(200);
      expect(unknown.body).toEqual({ success: true });
      const [row] = await sql<{ n: number }>(
        t,
        `SELECT count(*)::int AS n FROM otp_code WHERE user_id = $1`,
        [seed.user.id],
      );
      expect(row!.n).toBe(1);
      // Stored hashed; the outbox keeps it sealed.
      const stored = await sql(t, `SELECT * FROM otp_code`);
      expect(JSON.stringify(stored)).not.toContain(code);
      const outbox = await sql(t, `SELECT data_enc, recipient_enc FROM notification_outbox`);
      expect(JSON.stringify(outbox)).not.toContain(code);
      expect(JSON.stringify(outbox)).not.toContain(seed.email);
    });

    it('answers 401 INVALID_CLIENT for an unknown client or a missing secret', async () => {
      const seed = await seedTenant(t);
      expectError(await sendOtp(seed, { client_id: 'no-such-client' }), 401, 'INVALID_CLIENT');
      expectError(await sendOtp(seed, { client_secret: undefined }), 401, 'INVALID_CLIENT');
    });

    it('texts the code when channel is sms and the user has a phone, else mails it', async () => {
      const seed = await seedTenant(t, { user: { phone: '+15555550123' } });
      const res = await sendOtp(seed, { channel: 'sms' });
      expect(res.body).toEqual({ success: true });
      const [row] = await sql<{ channel: string }>(t, `SELECT channel FROM otp_code WHERE user_id = $1`, [
        seed.user.id,
      ]);
      expect(row!.channel).toBe('sms');
      const noPhone = await seedTenant(t);
      expect(await mailedCode(noPhone, { channel: 'sms' })).toMatch(/^\d{6}$/);
    });
  });

  describe('passwordless login by emailed code (no pending login)', () => {
    it('works once, for the client that asked, recorded as authMethod OTP', async () => {
      const seed = await seedTenant(t);
      const otp = await mailedCode(seed);
      const res = await verifyOtp(seed.email, otp);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.headers['cache-control']).toContain('no-store');
      const tokens = expectTokenResponse(await exchange(seed, res.body.code));
      expect(await authMethodOf(tokens.accessToken)).toBe('OTP');
      expectError(await verifyOtp(seed.email, otp), 401, 'INVALID_OTP');
    });

    it('a newer code replaces the older one', async () => {
      const seed = await seedTenant(t);
      const first = await mailedCode(seed);
      const second = await mailedCode(seed);
      if (first !== second) expectError(await verifyOtp(seed.email, first), 401, 'INVALID_OTP');
      expect((await verifyOtp(seed.email, second)).status).toBe(200);
    });

    it('expires after 5 minutes', async () => {
      const seed = await seedTenant(t);
      const otp = await mailedCode(seed);
      const [row] = await sql<{ seconds: number }>(
        t,
        `SELECT extract(epoch FROM expires_at - created_at)::int AS seconds FROM otp_code WHERE user_id = $1`,
        [seed.user.id],
      );
      expect(row!.seconds).toBe(300);
      await sql(t, `UPDATE otp_code SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [
        seed.user.id,
      ]);
      expectError(await verifyOtp(seed.email, otp), 401, 'INVALID_OTP');
    });

    it('5 wrong tries burn the code', async () => {
      const seed = await seedTenant(t);
      const otp = await mailedCode(seed);
      const wrong = otp === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) expectError(await verifyOtp(seed.email, wrong), 401, 'INVALID_OTP');
      expectError(await verifyOtp(seed.email, otp), 401, 'INVALID_OTP');
    });

    it('an unknown key answers like a wrong code', async () => {
      const res = await verifyOtp('nobody-here@example.com', '123456');
      expectError(res, 401, 'INVALID_OTP');
    });

    it('is refused with 401 MFA_REQUIRED where MFA applies (a client requiring it)', async () => {
      const seed = await seedTenant(t, { client: { mfaRequired: true } });
      const otp = await mailedCode(seed);
      expectError(await verifyOtp(seed.email, otp === '000000' ? '111111' : '000000'), 401, 'INVALID_OTP');
      expectError(await verifyOtp(seed.email, otp), 401, 'MFA_REQUIRED');
      // The code proved the mailbox once and is spent: it cannot finish a login started later.
      await loginCode(seed);
      expectError(await verifyOtp(seed.email, otp), 401, 'INVALID_OTP');
    });
  });

  describe('second factor by emailed code after /auth/login', () => {
    it('the login code is refused until verify-otp trades it for a full code', async () => {
      const seed = await seedTenant(t, { client: { mfaRequired: true } });
      const pending = await loginCode(seed);
      expectError(await exchange(seed, pending), 401, 'MFA_REQUIRED');
      expectError(await t.http.post('/auth/login-token').send(loginBody(seed)), 401, 'MFA_REQUIRED');
      const otp = await mailedCode(seed);
      const res = await verifyOtp(seed.email, otp);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.code).not.toBe(pending);
      const tokens = expectTokenResponse(await exchange(seed, res.body.code));
      expect(await authMethodOf(tokens.accessToken)).toBe('OTP');
      // The pending code was spent by the swap; the full one works once.
      expectError(await exchange(seed, pending), 401, 'INVALID_CODE');
      expectError(await exchange(seed, res.body.code), 401, 'INVALID_CODE');
      expectError(await verifyOtp(seed.email, otp), 401, 'INVALID_OTP');
    });
  });

  describe('authenticator app through the login-code flow', () => {
    it('check-qr-code, create-qr-code, then verify-otp with the app code confirms it and logs in', async () => {
      const seed = await seedTenant(t, { client: { mfaRequired: true } });
      const pending = await loginCode(seed);
      const check = () =>
        t.http.get('/auth/check-qr-code').set('code', pending).set('clientId', seed.client.clientId);
      expect((await check()).body).toEqual({ isGenerated: false });

      const qr = await t.http
        .post('/auth/create-qr-code')
        .send({ code: pending, clientId: seed.client.clientId });
      expect(qr.status).toBe(200);
      expect(qr.headers['cache-control']).toContain('no-store');
      const [, base64] = /^data:image\/png;base64,(.+)$/.exec(qr.body.qrCode)!;
      const png = Buffer.from(base64!, 'base64');
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a'); // the PNG signature
      expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
      expect(png.readUInt32BE(16)).toBeGreaterThan(100); // width
      expect((await check()).body).toEqual({ isGenerated: false });

      const secret = await storedTotpSecret(t, seed.user.id);
      const totp = new TotpUser();
      expectError(await verifyOtp(seed.email, wrongCode(secret)), 401, 'INVALID_OTP');
      const { code: appCode } = await totp.next(secret);
      const res = await verifyOtp(seed.email, appCode);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const tokens = expectTokenResponse(await exchange(seed, res.body.code));
      expect(await authMethodOf(tokens.accessToken)).toBe('TOTP');
      expect((await t.http.get('/auth/me').set(bearer(tokens.accessToken))).body.mfaEnabled).toBe(true);

      // Next login: the authenticator is there; a second one is refused; the step used is spent.
      const next = await loginCode(seed);
      expect(
        (await t.http.get('/auth/check-qr-code').set('code', next).set('clientId', seed.client.clientId))
          .body,
      ).toEqual({ isGenerated: true });
      expectError(
        await t.http.post('/auth/create-qr-code').send({ code: next, clientId: seed.client.clientId }),
        409,
        'MFA_ALREADY_CONFIGURED',
      );
      expectError(await verifyOtp(seed.email, appCode), 401, 'INVALID_OTP');
      const ok = await verifyOtp(seed.email, (await totp.next(secret)).code);
      expect(ok.status).toBe(200);
      expectTokenResponse(await exchange(seed, ok.body.code));
    });

    it('check-qr-code and create-qr-code refuse unknown or foreign codes and missing headers', async () => {
      const seed = await seedTenant(t);
      const other = await seedTenant(t);
      const code = await loginCode(seed);
      expectError(
        await t.http.get('/auth/check-qr-code').set('code', code).set('clientId', other.client.clientId),
        401,
        'INVALID_CODE',
      );
      expectError(
        await t.http
          .get('/auth/check-qr-code')
          .set('code', 'x'.repeat(43))
          .set('clientId', seed.client.clientId),
        401,
        'INVALID_CODE',
      );
      const missing = await t.http.get('/auth/check-qr-code').set('clientId', seed.client.clientId);
      expectError(missing, 422, 'VALIDATION_FAILED');
      expect(missing.body.details).toEqual([expect.objectContaining({ field: 'code' })]);
      expectError(await t.http.get('/auth/check-qr-code').set('code', code), 422, 'VALIDATION_FAILED');
      expectError(
        await t.http
          .post('/auth/create-qr-code')
          .send({ code: 'x'.repeat(43), clientId: seed.client.clientId }),
        401,
        'INVALID_CODE',
      );
      // Looking did not spend the code.
      expectTokenResponse(await exchange(seed, code));
      expectError(
        await t.http.get('/auth/check-qr-code').set('code', code).set('clientId', seed.client.clientId),
        401,
        'INVALID_CODE',
      );
    });
  });

  describe('a user with an authenticator (enabled through section 8), on both route families', () => {
    let seed: Seed;
    let enrolled: Awaited<ReturnType<typeof enrollTotp>>;

    beforeAll(async () => {
      seed = await seedTenant(t, { client: { public: true } });
      const session = expectGrantTokens(await passwordGrant(t, seed));
      enrolled = await enrollTotp(t, session.accessToken, { password: seed.password });
    });

    it('is refused without the second factor on both families', async () => {
      expectError(await passwordGrant(t, seed), 401, 'MFA_REQUIRED');
      expectError(await t.http.post('/auth/login-token').send(loginBody(seed)), 401, 'MFA_REQUIRED');
      expectError(await exchange(seed, await loginCode(seed)), 401, 'MFA_REQUIRED');
    });

    it('send-otp sends nothing to such a user (the authenticator is the factor)', async () => {
      const res = await sendOtp(seed);
      expect(res.body).toEqual({ success: true });
      const rows = await sql(t, `SELECT id FROM otp_code WHERE user_id = $1`, [seed.user.id]);
      expect(rows).toHaveLength(0);
    });

    it('verify-otp without a pending login: 401 INVALID_OTP whatever the code (it cannot test codes)', async () => {
      await sql(t, `UPDATE auth_code SET used_at = now() WHERE user_id = $1`, [seed.user.id]);
      const { code } = await enrolled.totp.next(enrolled.secret);
      for (const otp of [code, enrolled.recoveryCodes[5]!, wrongCode(enrolled.secret), 'garbage']) {
        const res = await verifyOtp(seed.email, otp);
        expectError(res, 401, 'INVALID_OTP');
        expect(res.body.message).toBe('Invalid, expired or used one-time code');
      }
      // Nothing was checked, so nothing was spent: the code completes the next login.
      await loginCode(seed);
      const ok = await verifyOtp(seed.email, code);
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expectTokenResponse(await exchange(seed, ok.body.code));
    });

    it('a TOTP step is accepted once per user, across the route families', async () => {
      const pending = await loginCode(seed);
      const { code } = await enrolled.totp.next(enrolled.secret);
      const res = await verifyOtp(seed.email, code);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const tokens = expectTokenResponse(await exchange(seed, res.body.code));
      expect(await authMethodOf(tokens.accessToken)).toBe('TOTP');
      expectError(await exchange(seed, pending), 401, 'INVALID_CODE');
      // The same code on the other family, and again here: refused.
      const { mfa } = (await passwordGrant(t, seed)).body;
      expectError(
        await t.http
          .post('/auth/v2/oauth1/tokens/mfa')
          .send({ token: mfa.token, methodId: enrolled.methodId, code }),
        401,
        'INVALID_MFA_CODE',
      );
      await loginCode(seed);
      expectError(await verifyOtp(seed.email, code), 401, 'INVALID_OTP');
    });

    it('a recovery code completes a login once, and not twice', async () => {
      await loginCode(seed);
      const res = await verifyOtp(seed.email, enrolled.recoveryCodes[3]!);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const tokens = expectTokenResponse(await exchange(seed, res.body.code));
      expect(await authMethodOf(tokens.accessToken)).toBe('RECOVERY_CODE');
      await loginCode(seed);
      expectError(await verifyOtp(seed.email, enrolled.recoveryCodes[3]!), 401, 'INVALID_OTP');
    });

    it('5 wrong second factors burn the pending login', async () => {
      await sql(t, `UPDATE auth_code SET used_at = now() WHERE user_id = $1`, [seed.user.id]);
      const pending = await loginCode(seed);
      for (let i = 0; i < 5; i++) {
        expectError(await verifyOtp(seed.email, wrongCode(enrolled.secret)), 401, 'INVALID_OTP');
      }
      const [row] = await sql<{ used_at: Date | null }>(
        t,
        `SELECT used_at FROM auth_code WHERE user_id = $1 AND mfa_pending ORDER BY created_at DESC LIMIT 1`,
        [seed.user.id],
      );
      expect(row!.used_at).not.toBeNull();
      expectError(await verifyOtp(seed.email, enrolled.recoveryCodes[4]!), 401, 'INVALID_OTP');
      expectError(await exchange(seed, pending), 401, 'INVALID_CODE');
    });
  });
});
