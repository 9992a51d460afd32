import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Response } from 'supertest';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { createPublicApp, pkcePair, PublicApp } from './support/headless.js';
import { bearer, enrollTotp, Enrolled, expectGrantTokens, passwordGrant } from './support/mfa.js';
import { sql } from './support/test-app.js';
import { currentStep, totpAt, wrongCode } from './support/totp.js';

/** RATE_LIMIT_PER_ACCOUNT: the per-user budget of wrong second factors per 15 minutes. */
const LIMIT = 6;
const WRONG_RECOVERY_CODE = 'zzzzz-zzzzz';

function expectThrottled(res: Response): void {
  expect(res.status, res.text).toBe(429);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

/**
 * API.md section 12, "One budget for second factors": every wrong authenticator or recovery code
 * of a user, on every route (hosted page, /auth/verify-otp by any name, the section 8 grant, MFA
 * settings), from every address, counts against one budget; and /auth/verify-otp without a
 * pending login cannot be used to test codes. Each test performs the attack.
 */
describe('one budget for second factors', () => {
  let app: PublicApp;
  let ipCounter = 0;
  /** A new client address per request (TRUST_PROXY: the service reads X-Forwarded-For). */
  const newIp = () => `198.51.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;
  const http = () => app.t.http;

  beforeAll(async () => {
    app = await createPublicApp({ RATE_LIMIT_PER_ACCOUNT: String(LIMIT), TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await app?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** A member with a username distinct from the email, and an authenticator (with recovery codes). */
  async function memberWithAuthenticator(): Promise<{
    seed: Seed;
    username: string;
    enrolled: Enrolled;
    accessToken: string;
  }> {
    const username = unique('ann');
    const seed = await seedTenant(app.t, { user: { username } });
    const { accessToken } = expectGrantTokens(await passwordGrant(app.t, seed));
    const enrolled = await enrollTotp(app.t, accessToken, { password: seed.password });
    return { seed, username, enrolled, accessToken };
  }

  /** The hosted login page of /oauth2/authorize up to its code step (the password is proven). */
  async function hostedStep(seed: Seed, login: string): Promise<{ token: string; mfaToken: string }> {
    const page = await http().get('/oauth2/authorize').set('X-Forwarded-For', newIp()).query({
      response_type: 'code',
      client_id: seed.client.clientId,
      redirect_uri: 'https://app.example.com/callback',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
      state: 'st',
      scope: 'openid',
    });
    expect(page.status, page.text).toBe(200);
    const token = /name="redirectSession" value="([^"]+)"/.exec(page.text)![1]!;
    const step = await http()
      .post('/oauth2/authorize')
      .set('X-Forwarded-For', newIp())
      .type('form')
      .send({ redirectSession: token, email: login, password: seed.password });
    expect(step.status, step.text).toBe(200);
    return { token, mfaToken: /name="mfaToken" value="([^"]+)"/.exec(step.text)![1]! };
  }
  const hostedCode = (step: { token: string; mfaToken: string }, code: string) =>
    http()
      .post('/oauth2/authorize')
      .set('X-Forwarded-For', newIp())
      .type('form')
      .send({ redirectSession: step.token, mfaToken: step.mfaToken, code });

  /** A pending /auth/login code: the password is proven, the second factor is due. */
  async function pendingLogin(seed: Seed, username: string): Promise<void> {
    const res = await http().post('/auth/login').set('X-Forwarded-For', newIp()).send({
      client_id: seed.client.clientId,
      client_secret: seed.clientSecret,
      username,
      password: seed.password,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const verifyOtp = (key: string, otp: string) =>
    http().post('/auth/verify-otp').set('X-Forwarded-For', newIp()).send({ key, otp });

  /** A section 8 MFA challenge: its token and the ids of the authenticator and recovery codes. */
  async function challenge(seed: Seed, email = seed.email) {
    const res = await passwordGrant(app.t, seed, { email }).set('X-Forwarded-For', newIp());
    expectError(res, 401, 'MFA_REQUIRED');
    const methods = res.body.mfa.methods as { id: string; type: string }[];
    return {
      token: res.body.mfa.token as string,
      totp: methods.find((m) => m.type === 'totp')!.id,
      recovery: methods.find((m) => m.type === 'recoveryCode')!.id,
    };
  }
  const grant = (token: string, methodId: string, code: string) =>
    http().post('/auth/v2/oauth1/tokens/mfa').set('X-Forwarded-For', newIp()).send({ token, methodId, code });

  it('wrong codes spread over every route, name and address share one budget; then even the right code is 429 until the window passes', async () => {
    const { seed, username, enrolled, accessToken } = await memberWithAuthenticator();
    const { secret } = enrolled;
    const EMAIL = seed.email.toUpperCase();

    // 1. The hosted page's code step, signed in with the email in upper case.
    const hosted = await hostedStep(seed, EMAIL);
    const wrongHosted = await hostedCode(hosted, wrongCode(secret));
    expect(wrongHosted.status).toBe(401);
    expect(wrongHosted.text).toContain('Invalid code');
    // 2-3. /auth/verify-otp completing a pending login, by username and by EMAIL, mixed case.
    await pendingLogin(seed, username);
    expectError(await verifyOtp(username.toUpperCase(), wrongCode(secret)), 401, 'INVALID_OTP');
    expectError(await verifyOtp(EMAIL, wrongCode(secret)), 401, 'INVALID_OTP');
    // 4-5. The section 8 grant: a wrong TOTP, and a wrong recovery code.
    const first = await challenge(seed, EMAIL);
    expectError(await grant(first.token, first.totp, wrongCode(secret)), 401, 'INVALID_MFA_CODE');
    expectError(await grant(first.token, first.recovery, WRONG_RECOVERY_CODE), 401, 'INVALID_MFA_CODE');
    // 6. MFA settings, proving the owner with a code.
    expectError(
      await http()
        .post('/auth/v2/mfa/methods/totp')
        .set('X-Forwarded-For', newIp())
        .set(bearer(accessToken))
        .send({ code: WRONG_RECOVERY_CODE }),
      401,
      'INVALID_MFA_CODE',
    );

    // LIMIT wrong codes from LIMIT addresses: the user's budget is spent, on every route, for the
    // right authenticator code and the right recovery code alike (neither is even checked).
    const { code: right } = await enrolled.totp.next(secret); // a step never used yet
    const second = await challenge(seed);
    expectThrottled(await grant(second.token, second.totp, right));
    expectThrottled(await grant(second.token, second.recovery, enrolled.recoveryCodes[0]!));
    expectThrottled(await verifyOtp(username, right));
    expectThrottled(await verifyOtp(seed.email, enrolled.recoveryCodes[1]!));
    expectThrottled(await hostedCode(await hostedStep(seed, username), right));
    expectThrottled(
      await http()
        .post('/auth/v2/mfa/methods/totp')
        .set('X-Forwarded-For', newIp())
        .set(bearer(accessToken))
        .send({ code: right }),
    );
    // The budget is this user's: another user's second factor is checked as usual.
    const other = await memberWithAuthenticator();
    const otherChallenge = await challenge(other.seed);
    expectGrantTokens(
      await grant(
        otherChallenge.token,
        otherChallenge.totp,
        (await other.enrolled.totp.next(other.enrolled.secret)).code,
      ),
    );

    // Once the 15-minute window has passed, the right code works again.
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 15 * 60_000 + 1_000);
    const later = totpAt(secret, currentStep());
    const ok = await verifyOtp(username, later);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.code).toEqual(expect.any(String));
  });

  it('verify-otp without a pending login answers 401 INVALID_OTP for a right or wrong code, checks nothing and counts no second factor', async () => {
    const { seed, username, enrolled } = await memberWithAuthenticator();
    await sql(app.t, `UPDATE auth_code SET used_at = now() WHERE user_id = $1`, [seed.user.id]);
    const { code: right } = await enrolled.totp.next(enrolled.secret);
    const answers: Response[] = [];
    for (const key of [username, seed.email.toUpperCase()]) {
      for (const otp of [
        right,
        enrolled.recoveryCodes[0]!,
        wrongCode(enrolled.secret),
        WRONG_RECOVERY_CODE,
      ]) {
        answers.push(await verifyOtp(key, otp));
      }
    }
    for (const res of answers) {
      expectError(res, 401, 'INVALID_OTP');
      expect(res.body).toEqual(answers[0]!.body);
    }
    // More answers than the budget, and none of them counted as a wrong second factor: the code
    // (not spent either) still completes a real sign-in, and so does the recovery code.
    expect(answers.length).toBeGreaterThan(LIMIT);
    const { token, totp } = await challenge(seed);
    expectGrantTokens(await grant(token, totp, right));
    const again = await challenge(seed);
    expectGrantTokens(await grant(again.token, again.recovery, enrolled.recoveryCodes[0]!));
  });

  it('one TOTP code sent to five challenges at once (grant, verify-otp, hosted page) succeeds exactly once', async () => {
    const { seed, username, enrolled } = await memberWithAuthenticator();
    const challenges = await Promise.all([challenge(seed), challenge(seed), challenge(seed)]);
    await pendingLogin(seed, username);
    const hosted = await hostedStep(seed, seed.email);
    const { code, step } = await enrolled.totp.next(enrolled.secret);

    const answers = await Promise.all([
      ...challenges.map((c) => grant(c.token, c.totp, code)),
      verifyOtp(username, code),
      hostedCode(hosted, code),
    ]);
    const succeeded = answers.filter((res) => res.status === 200 || res.status === 303);
    expect(succeeded.length, answers.map((res) => `${res.status} ${res.body?.code ?? ''}`).join(', ')).toBe(
      1,
    );
    // Every other one is refused as a used code, in its own route's words.
    for (const res of answers.slice(0, challenges.length)) {
      if (res.status !== 200) expectError(res, 401, 'INVALID_MFA_CODE');
    }
    const [otp, page] = answers.slice(challenges.length);
    if (otp!.status !== 200) expectError(otp!, 401, 'INVALID_OTP');
    if (page!.status !== 303) {
      expect(page!.status).toBe(401);
      expect(page!.text).toContain('Invalid code');
    }
    const [row] = await sql<{ last_used_step: string }>(
      app.t,
      `SELECT last_used_step FROM mfa_totp_step WHERE user_id = $1`,
      [seed.user.id],
    );
    expect(Number(row!.last_used_step)).toBe(step);
  });
});
