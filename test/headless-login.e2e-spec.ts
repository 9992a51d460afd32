import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateClientInput } from '../src/identity/identity.types.js';
import { decodeClaims, expectError } from './support/assertions.js';
import { type Provisioning, seedTenant, Seed, STRONG_PASSWORD, unique } from './support/fixtures.js';
import {
  bearer,
  CaptchaVerifier,
  createPublicApp,
  pkcePair,
  PublicApp,
  redirectParams,
  visitorToken,
} from './support/headless.js';
import { MailCatcher } from './support/mail-catcher.js';
import { sql, TEST_ADMIN_KEY } from './support/test-app.js';

/**
 * The headless flows of seed 002 (API.md section 7), end to end over HTTP with real mail: a
 * visitor token, register, the code from a real SMTP server, verify, a redirect session, the
 * authorize step, the token exchange with the PKCE verifier, and /auth/me.
 */
describe('headless login (register / login / verify with states)', () => {
  let app: PublicApp;
  let mail: MailCatcher;
  let captcha: CaptchaVerifier;
  let seed: Seed;
  let provisioning: Provisioning;

  const http = () => app.t.http;
  const newEmail = () => `${unique('member')}@example.com`;

  async function client(overrides: Partial<CreateClientInput> = {}) {
    const { client } = await provisioning.clients.createClient({
      clientId: unique('spa'),
      name: 'Acme shop',
      tenantId: seed.tenant.id,
      redirectUrls: ['https://shop.example.com/callback', 'https://shop.example.com/'],
      allowedOrigins: ['https://shop.example.com'],
      public: true,
      ...overrides,
    });
    return client;
  }

  async function codeFor(email: string, after = 0): Promise<string> {
    const m = await mail.waitFor(
      (x) =>
        x.to.includes(email.toLowerCase()) &&
        mail.for(email).indexOf(x) >= after &&
        Boolean(MailCatcher.code(x)),
    );
    return MailCatcher.code(m)!;
  }

  /** Redirect session with the sessionToken -> authorize (query) -> token exchange. */
  async function tokensFor(clientId: string, visitor: string, sessionToken: string) {
    const { verifier, challenge } = pkcePair();
    const rs = await http()
      .post('/auth/v2/redirect-sessions')
      .set(bearer(visitor))
      .send({
        auth: {
          clientId,
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
          responseMode: 'query',
          responseType: 'code',
          scope: 'offline_access',
          state: 'st-1',
          sessionToken,
        },
      });
    expect(rs.status).toBe(200);
    const fullUrl = new URL(rs.body.redirectSession.fullUrl);
    const authorize = await http().get(`${fullUrl.pathname}${fullUrl.search}`);
    expect(authorize.status).toBe(302);
    const params = redirectParams(authorize.headers.location);
    expect(params.state).toBe('st-1');
    const token = await http()
      .post('/oauth2/token')
      .send({ clientId, grantType: 'authorization_code', code: params.code, codeVerifier: verifier });
    expect(token.status).toBe(200);
    return token.body as { access_token: string; refresh_token: string; expires_in: number };
  }

  beforeAll(async () => {
    mail = new MailCatcher();
    await mail.start();
    captcha = new CaptchaVerifier('captcha-secret-0123456789');
    await captcha.start();
    app = await createPublicApp({
      SMTP_URL: mail.url,
      MAIL_FROM: 'auth@example.com',
      CAPTCHA_VERIFY_URL: captcha.url,
      CAPTCHA_SECRET: captcha.secret,
      RATE_LIMIT_PER_ADDRESS: '1000',
    });
    seed = await seedTenant(app.t);
    provisioning = seed.provisioning;
  });
  afterAll(async () => {
    await app?.close();
    await mail?.stop();
    await captcha?.stop();
  });

  it('the seed-002 flow: visitor token, register, mailed code, verify, redirect session, authorize, token, /auth/me', async () => {
    const c = await client();
    const visitor = await visitorToken(app.t, c.clientId);
    expect(decodeClaims(visitor)).toMatchObject({ typ: 'visitor', cid: c.clientId, permissions: [] });
    const email = newEmail();

    const registered = await http()
      .post('/auth/v2/register')
      .set(bearer(visitor))
      .send({
        loginId: { email },
        password: STRONG_PASSWORD,
        profile: { firstName: 'Ada', lastName: 'Lovelace', privacyStatus: 'PRIVATE', labels: ['vip'] },
      });
    expect(registered.status).toBe(200);
    expect(registered.headers['cache-control']).toContain('no-store');
    expect(registered.body).toEqual({
      state: 'REQUIRE_EMAIL_VERIFICATION',
      sessionToken: null,
      stateToken: expect.any(String),
      identity: { id: expect.any(String), email, status: 'PENDING_VERIFICATION' },
    });

    const code = await codeFor(email);
    const mailed = mail.for(email)[0]!;
    expect(mailed.from).toBe('auth@example.com');

    const verified = await http()
      .post('/auth/v2/verify')
      .set(bearer(visitor))
      .send({ code, stateToken: registered.body.stateToken });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({
      state: 'SUCCESS',
      sessionToken: expect.any(String),
      stateToken: null,
      identity: { id: registered.body.identity.id, email, status: 'ACTIVE' },
    });
    // The mailed code proved the address (it starts unproven: register asks for no proof itself).
    const [proven] = await sql<{ email_verified: boolean }>(
      app.t,
      'SELECT email_verified FROM app_user WHERE id = $1',
      [registered.body.identity.id],
    );
    expect(proven!.email_verified).toBe(true);

    const tokens = await tokensFor(c.clientId, visitor, verified.body.sessionToken);
    expect(tokens).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: 14400,
      token_type: 'Bearer',
    });
    const me = await http().get('/auth/me').set(bearer(tokens.access_token));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: registered.body.identity.id,
      email,
      firstName: 'Ada',
      lastName: 'Lovelace',
    });

    // The code and the stateToken were spent together; secrets are stored hashed.
    expectError(
      await http()
        .post('/auth/v2/verify')
        .set(bearer(visitor))
        .send({ code, stateToken: registered.body.stateToken }),
      401,
      'INVALID_CODE',
    );
    const stored = await sql<{ used: boolean; data_enc: string | null }>(
      app.t,
      `SELECT used_at IS NOT NULL AS used, data_enc FROM one_time_token WHERE token_hash = $1`,
      [createHash('sha256').update(`session-token:${verified.body.sessionToken}`).digest()],
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]!.used).toBe(true);
    expect(stored[0]!.data_enc ?? '').not.toContain('HEADLESS');
  });

  it('login: SUCCESS for a verified member, 401 INVALID_CREDENTIALS for a wrong password or unknown email', async () => {
    const c = await client();
    const visitor = await visitorToken(app.t, c.clientId);
    const ok = await http()
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email: seed.email }, password: seed.password });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ state: 'SUCCESS', sessionToken: expect.any(String), stateToken: null });
    expect(ok.body.identity).toEqual({ id: seed.user.id, email: seed.email, status: 'ACTIVE' });

    expectError(
      await http()
        .post('/auth/v2/login')
        .set(bearer(visitor))
        .send({ loginId: { email: seed.email }, password: 'Wrong-Password-123' }),
      401,
      'INVALID_CREDENTIALS',
    );
    expectError(
      await http()
        .post('/auth/v2/login')
        .set(bearer(visitor))
        .send({ loginId: { email: newEmail() }, password: 'Wrong-Password-123' }),
      401,
      'INVALID_CREDENTIALS',
    );
    // Member tokens of SUCCESS work; a member of another tenant is not a member here.
    const other = await seedTenant(app.t);
    expectError(
      await http()
        .post('/auth/v2/login')
        .set(bearer(visitor))
        .send({ loginId: { email: other.email }, password: other.password }),
      403,
      'NOT_A_MEMBER',
    );
  });

  it('login of a member whose email is not verified answers REQUIRE_EMAIL_VERIFICATION with a mailed code', async () => {
    const c = await client();
    const email = newEmail();
    await provisioning.users.createUser({
      email,
      password: STRONG_PASSWORD,
      tenantId: seed.tenant.id,
      emailVerified: false,
    });
    const visitor = await visitorToken(app.t, c.clientId);
    const res = await http()
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email }, password: STRONG_PASSWORD });
    expect(res.body).toMatchObject({ state: 'REQUIRE_EMAIL_VERIFICATION', sessionToken: null });
    const code = await codeFor(email);
    const verified = await http()
      .post('/auth/v2/verify')
      .set(bearer(visitor))
      .send({ code, stateToken: res.body.stateToken });
    expect(verified.body.state).toBe('SUCCESS');
    // Without the verification requirement a member with an unverified email logs straight in.
    const lax = await client({ requireEmailVerification: false });
    const email2 = newEmail();
    await provisioning.users.createUser({
      email: email2,
      password: STRONG_PASSWORD,
      tenantId: seed.tenant.id,
      emailVerified: false,
    });
    const v2 = await visitorToken(app.t, lax.clientId);
    const direct = await http()
      .post('/auth/v2/login')
      .set(bearer(v2))
      .send({ loginId: { email: email2 }, password: STRONG_PASSWORD });
    expect(direct.body.state).toBe('SUCCESS');
  });

  it('a wrong code is 401 INVALID_CODE and spends nothing; five wrong codes burn the stateToken', async () => {
    const c = await client();
    const visitor = await visitorToken(app.t, c.clientId);
    const email = newEmail();
    const reg = await http()
      .post('/auth/v2/register')
      .set(bearer(visitor))
      .send({ loginId: { email }, password: STRONG_PASSWORD });
    const code = await codeFor(email);
    const wrong = code === '000000' ? '111111' : '000000';
    expectError(
      await http()
        .post('/auth/v2/verify')
        .set(bearer(visitor))
        .send({ code: wrong, stateToken: reg.body.stateToken }),
      401,
      'INVALID_CODE',
    );
    expectError(
      await http()
        .post('/auth/v2/verify')
        .set(bearer(visitor))
        .send({ code: 'abc', stateToken: reg.body.stateToken }),
      401,
      'INVALID_CODE',
    );
    const ok = await http()
      .post('/auth/v2/verify')
      .set(bearer(visitor))
      .send({ code, stateToken: reg.body.stateToken });
    expect(ok.body.state).toBe('SUCCESS');

    const email2 = newEmail();
    const reg2 = await http()
      .post('/auth/v2/register')
      .set(bearer(visitor))
      .send({ loginId: { email: email2 }, password: STRONG_PASSWORD });
    const code2 = await codeFor(email2);
    const wrong2 = code2 === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      expectError(
        await http()
          .post('/auth/v2/verify')
          .set(bearer(visitor))
          .send({ code: wrong2, stateToken: reg2.body.stateToken }),
        401,
        'INVALID_CODE',
      );
    }
    expectError(
      await http()
        .post('/auth/v2/verify')
        .set(bearer(visitor))
        .send({ code: code2, stateToken: reg2.body.stateToken }),
      401,
      'INVALID_CODE',
    );
    // Logging in starts a new flow with a new code.
    const again = await http()
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email: email2 }, password: STRONG_PASSWORD });
    expect(again.body.state).toBe('REQUIRE_EMAIL_VERIFICATION');
  });

  it('verify/resend mails a new code that replaces the old one; an unknown stateToken is 401', async () => {
    const c = await client();
    const visitor = await visitorToken(app.t, c.clientId);
    const email = newEmail();
    const reg = await http()
      .post('/auth/v2/register')
      .set(bearer(visitor))
      .send({ loginId: { email }, password: STRONG_PASSWORD });
    const first = await codeFor(email);
    const resent = await http()
      .post('/auth/v2/verify/resend')
      .set(bearer(visitor))
      .send({ stateToken: reg.body.stateToken });
    expect(resent.status).toBe(200);
    expect(resent.body).toEqual({});
    const second = await codeFor(email, 1);
    if (first !== second) {
      expectError(
        await http()
          .post('/auth/v2/verify')
          .set(bearer(visitor))
          .send({ code: first, stateToken: reg.body.stateToken }),
        401,
        'INVALID_CODE',
      );
    }
    const ok = await http()
      .post('/auth/v2/verify')
      .set(bearer(visitor))
      .send({ code: second, stateToken: reg.body.stateToken });
    expect(ok.body.state).toBe('SUCCESS');
    expectError(
      await http()
        .post('/auth/v2/verify/resend')
        .set(bearer(visitor))
        .send({ stateToken: 'x'.repeat(43) }),
      401,
      'INVALID_TOKEN',
    );
  });

  it('register: 409 EMAIL_ALREADY_EXISTS, 400 WEAK_PASSWORD, 403 when sign-up is off', async () => {
    const c = await client();
    const visitor = await visitorToken(app.t, c.clientId);
    expectError(
      await http()
        .post('/auth/v2/register')
        .set(bearer(visitor))
        .send({ loginId: { email: seed.email.toUpperCase() }, password: STRONG_PASSWORD }),
      409,
      'EMAIL_ALREADY_EXISTS',
    );
    for (const password of ['short', 'password1234', 'x'.repeat(129)]) {
      expectError(
        await http()
          .post('/auth/v2/register')
          .set(bearer(visitor))
          .send({ loginId: { email: newEmail() }, password }),
        400,
        'WEAK_PASSWORD',
      );
    }
    const email = newEmail();
    expectError(
      await http()
        .post('/auth/v2/register')
        .set(bearer(visitor))
        .send({ loginId: { email }, password: `${email}-Harbour` }),
      400,
      'WEAK_PASSWORD',
    );
    const closed = await client({ allowSignUp: false });
    const v2 = await visitorToken(app.t, closed.clientId);
    expectError(
      await http()
        .post('/auth/v2/register')
        .set(bearer(v2))
        .send({ loginId: { email: newEmail() }, password: STRONG_PASSWORD }),
      403,
      'SIGN_UP_DISABLED',
    );
  });

  it('an existing contact without a password verifies the email before the password is set', async () => {
    const c = await client();
    const email = newEmail();
    const { user } = await provisioning.users.createUser({ email, tenantId: seed.tenant.id });
    const visitor = await visitorToken(app.t, c.clientId);
    const reg = await http()
      .post('/auth/v2/register')
      .set(bearer(visitor))
      .send({ loginId: { email }, password: STRONG_PASSWORD, profile: { nickname: 'ada' } });
    // Nothing of the existing account is shown before the mailbox is proven (API.md section 12).
    expect(reg.body).toEqual({
      state: 'REQUIRE_EMAIL_VERIFICATION',
      sessionToken: null,
      stateToken: expect.any(String),
      identity: { id: expect.any(String), email, status: 'PENDING_VERIFICATION' },
    });
    expect(reg.body.identity.id).not.toBe(user.id);
    // Not yet: the password is set only after the code.
    expectError(
      await http()
        .post('/auth/v2/login')
        .set(bearer(visitor))
        .send({ loginId: { email }, password: STRONG_PASSWORD }),
      401,
      'INVALID_CREDENTIALS',
    );
    const code = await codeFor(email);
    const ok = await http()
      .post('/auth/v2/verify')
      .set(bearer(visitor))
      .send({ code, stateToken: reg.body.stateToken });
    expect(ok.body).toMatchObject({ state: 'SUCCESS', identity: { id: user.id } });
    const login = await http()
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email }, password: STRONG_PASSWORD });
    expect(login.body.state).toBe('SUCCESS');
    const tokens = await tokensFor(c.clientId, visitor, login.body.sessionToken);
    const member = await http().get('/auth/v2/members/me').set(bearer(tokens.access_token));
    expect(member.body.profile.nickname).toBe('ada');
  });

  it('owner approval: REQUIRE_OWNER_APPROVAL until the admin approves, then a mail and SUCCESS', async () => {
    const c = await client({ requireOwnerApproval: true, requireEmailVerification: false });
    const visitor = await visitorToken(app.t, c.clientId);
    const email = newEmail();
    const reg = await http()
      .post('/auth/v2/register')
      .set(bearer(visitor))
      .send({ loginId: { email }, password: STRONG_PASSWORD });
    expect(reg.body).toEqual({
      state: 'REQUIRE_OWNER_APPROVAL',
      sessionToken: null,
      stateToken: null,
      identity: { id: expect.any(String), email, status: 'PENDING_APPROVAL' },
    });
    const login = await http()
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email }, password: STRONG_PASSWORD });
    expect(login.body).toMatchObject({ state: 'REQUIRE_OWNER_APPROVAL', sessionToken: null });
    expectError(
      await http()
        .post('/auth/v2/login')
        .set(bearer(visitor))
        .send({ loginId: { email }, password: 'Wrong-Password-123' }),
      401,
      'INVALID_CREDENTIALS',
    );

    const approve = await http()
      .post(`/admin/members/${reg.body.identity.id}/approve`)
      .set(bearer(TEST_ADMIN_KEY));
    expect(approve.status).toBe(204);
    const approved = await mail.waitFor((m) => m.to.includes(email.toLowerCase()));
    expect(approved.subject.toLowerCase()).toMatch(/approv/);
    const after = await http()
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email }, password: STRONG_PASSWORD });
    expect(after.body.state).toBe('SUCCESS');
  });

  it('verification then owner approval, in that order', async () => {
    const c = await client({ requireOwnerApproval: true });
    const visitor = await visitorToken(app.t, c.clientId);
    const email = newEmail();
    const reg = await http()
      .post('/auth/v2/register')
      .set(bearer(visitor))
      .send({ loginId: { email }, password: STRONG_PASSWORD });
    expect(reg.body.state).toBe('REQUIRE_EMAIL_VERIFICATION');
    const code = await codeFor(email);
    const verified = await http()
      .post('/auth/v2/verify')
      .set(bearer(visitor))
      .send({ code, stateToken: reg.body.stateToken });
    expect(verified.body).toMatchObject({
      state: 'REQUIRE_OWNER_APPROVAL',
      sessionToken: null,
      identity: { status: 'PENDING_APPROVAL' },
    });
  });

  it('a locked member gets 403 LOCKED after the password matched', async () => {
    const c = await client();
    const email = newEmail();
    await provisioning.users.createUser({
      email,
      password: STRONG_PASSWORD,
      tenantId: seed.tenant.id,
      status: 'LOCKED',
    });
    const visitor = await visitorToken(app.t, c.clientId);
    expectError(
      await http()
        .post('/auth/v2/login')
        .set(bearer(visitor))
        .send({ loginId: { email }, password: STRONG_PASSWORD }),
      403,
      'LOCKED',
    );
    expectError(
      await http()
        .post('/auth/v2/login')
        .set(bearer(visitor))
        .send({ loginId: { email }, password: 'Wrong-Password-123' }),
      401,
      'INVALID_CREDENTIALS',
    );
  });

  it('a second factor due: 401 MFA_REQUIRED, never a sessionToken', async () => {
    const c = await client({ mfaRequired: true });
    const visitor = await visitorToken(app.t, c.clientId);
    expectError(
      await http()
        .post('/auth/v2/login')
        .set(bearer(visitor))
        .send({ loginId: { email: seed.email }, password: seed.password }),
      401,
      'MFA_REQUIRED',
    );
  });

  it('captcha per client: missing or rejected 400 CAPTCHA_INVALID, accepted by the verifier', async () => {
    const c = await client({ captchaRequired: true });
    const visitor = await visitorToken(app.t, c.clientId);
    const body = { loginId: { email: newEmail() }, password: STRONG_PASSWORD };
    expectError(
      await http().post('/auth/v2/register').set(bearer(visitor)).send(body),
      400,
      'CAPTCHA_INVALID',
    );
    expectError(
      await http()
        .post('/auth/v2/register')
        .set(bearer(visitor))
        .send({ ...body, captchaToken: 'forged' }),
      400,
      'CAPTCHA_INVALID',
    );
    captcha.valid.add('good-token');
    const ok = await http()
      .post('/auth/v2/register')
      .set(bearer(visitor))
      .send({ ...body, captchaToken: 'good-token' });
    expect(ok.status).toBe(200);
    expect(captcha.requests.at(-1)).toMatchObject({
      secret: captcha.secret,
      response: 'good-token',
      remoteip: expect.any(String),
    });
    expectError(
      await http()
        .post('/auth/v2/login')
        .set(bearer(visitor))
        .send({ loginId: { email: seed.email }, password: seed.password }),
      400,
      'CAPTCHA_INVALID',
    );
    const login = await http()
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email: seed.email }, password: seed.password, captchaToken: 'good-token' });
    expect(login.body.state).toBe('SUCCESS');
  });

  it('the routes need a visitor (or member) token: none or a forged one is 401', async () => {
    const body = { loginId: { email: seed.email }, password: seed.password };
    expectError(await http().post('/auth/v2/login').send(body), 401, 'UNAUTHORIZED');
    expectError(await http().post('/auth/v2/login').set(bearer('not.a.jwt')).send(body), 401, 'UNAUTHORIZED');
    const c = await client();
    const visitor = await visitorToken(app.t, c.clientId);
    // Visitor tokens are refused wherever a user is needed.
    expectError(await http().get('/auth/me').set(bearer(visitor)), 401, 'UNAUTHORIZED');
    expectError(await http().get('/auth/v2/members/me').set(bearer(visitor)), 401, 'UNAUTHORIZED');
    expectError(await http().get('/oauth2/userinfo').set(bearer(visitor)), 401, 'UNAUTHORIZED');
  });

  it('the profile is validated field by field', async () => {
    const c = await client();
    const visitor = await visitorToken(app.t, c.clientId);
    const bad: [Record<string, unknown>, string][] = [
      [{ privacyStatus: 'SECRET' }, 'profile.privacyStatus'],
      [{ labels: 'vip' }, 'profile.labels'],
      [{ labels: [1] }, 'profile.labels'],
      [{ birthdate: '2023-02-30' }, 'profile.birthdate'],
      [{ birthdate: '10/12/1815' }, 'profile.birthdate'],
      [{ customFields: [1, 2] }, 'profile.customFields'],
      [{ secondaryEmails: [{ email: 'nope', tag: 'WORK' }] }, 'profile.secondaryEmails.0.email'],
      [{ secondaryEmails: [{ email: 'a@example.com', tag: 'OFFICE' }] }, 'profile.secondaryEmails.0.tag'],
      [{ phonesV2: [{ countryCode: '+44', phone: 'call me', tag: 'MAIN' }] }, 'profile.phonesV2.0.phone'],
      [{ addresses: [{ address: 12, tag: 'HOME' }] }, 'profile.addresses.0.address'],
      [{ firstName: 7 }, 'profile.firstName'],
      [{ shoeSize: 38 }, 'profile.shoeSize'],
    ];
    for (const [profile, field] of bad) {
      const res = await http()
        .post('/auth/v2/register')
        .set(bearer(visitor))
        .send({ loginId: { email: newEmail() }, password: STRONG_PASSWORD, profile });
      expectError(res, 422, 'VALIDATION_FAILED');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });
});
