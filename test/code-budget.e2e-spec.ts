import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import type { AuthClient } from '../src/identity/identity.types.js';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { bearer, createPublicApp, PublicApp, visitorToken } from './support/headless.js';
import { MailCatcher } from './support/mail-catcher.js';
import { sql } from './support/test-app.js';

/** RATE_LIMIT_PER_ACCOUNT: wrong codes per account from one address (ten times that from all). */
const LIMIT = 10;
/** The per-user budget of wrong emailed codes (API.md section 12). */
const DAILY = 50;
const NEW_PASSWORD = 'Copper-Meadow-Signal-88';

/** A 6-digit code that is not `code`. */
const wrongFor = (code: string, i = 1) => String((Number(code) + i) % 1_000_000).padStart(6, '0');

function expectCodesLocked(res: Response): void {
  expectError(res, 429, 'TOO_MANY_REQUESTS');
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(res.body.message).toMatch(/sign in with the password, or reset it/);
}

/**
 * API.md section 12, "Emailed and texted codes": wrong 6-digit codes of every route (sign-in codes
 * of /auth/verify-otp, the emailed method of the section 8 MFA challenge, verification codes of
 * /auth/v2/verify) count against one per-user budget of 50, whatever name was typed and from
 * whatever address; past it, code sign-in and email verification stop until a password sign-in or
 * a reset link succeeds. And the per-account limit of section 0 counts one account under all its
 * names.
 */
describe('the budget of wrong emailed codes', () => {
  let app: PublicApp;
  let mail: MailCatcher;
  let ipCounter = 0;
  const newIp = () => `203.0.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;
  const http = () => app.t.http;

  beforeAll(async () => {
    mail = new MailCatcher();
    await mail.start();
    app = await createPublicApp({
      SMTP_URL: mail.url,
      MAIL_FROM: 'auth@example.com',
      OUTBOX_POLL_INTERVAL_MS: '50',
      RATE_LIMIT_PER_ACCOUNT: String(LIMIT),
      TRUST_PROXY: 'true',
    });
  });
  afterAll(async () => {
    await app?.close();
    await mail?.stop();
  });

  /** Runs `action` and answers the 6-digit code of the next mail to `email`. */
  async function mailedCode(email: string, action: () => Promise<unknown>): Promise<string> {
    const before = mail.for(email).length;
    await action();
    const m = await mail.waitFor(
      (x) =>
        x.to.includes(email.toLowerCase()) && mail.for(email).indexOf(x) >= before && !!MailCatcher.code(x),
    );
    return MailCatcher.code(m)!;
  }
  async function mailedLink(email: string, action: () => Promise<unknown>): Promise<string> {
    const before = mail.for(email).length;
    await action();
    const m = await mail.waitFor(
      (x) =>
        x.to.includes(email.toLowerCase()) &&
        mail.for(email).indexOf(x) >= before &&
        !!MailCatcher.linkToken(x),
    );
    return MailCatcher.linkToken(m)!;
  }

  /** A member with a username other than the email (no password with `passwordless`). */
  async function member(options: { passwordless?: boolean } = {}) {
    const username = unique('bob');
    const seed = await seedTenant(app.t, {
      user: { username, ...(options.passwordless ? { password: undefined } : {}) },
    });
    const { client: spa } = await seed.provisioning.clients.createClient({
      clientId: unique('spa'),
      name: 'Shop',
      tenantId: seed.tenant.id,
      redirectUrls: ['https://shop.example.com/'],
      allowedOrigins: ['https://shop.example.com'],
      public: true,
    });
    // Every name of the account: username and email, as typed in any letter case.
    const names = [username, seed.email.toUpperCase(), username.toUpperCase(), seed.email];
    return { seed, spa, names };
  }

  const sendOtp = (seed: Seed, key: string) =>
    http().post('/auth/send-otp').set('X-Forwarded-For', newIp()).send({
      client_id: seed.client.clientId,
      client_secret: seed.clientSecret,
      key,
    });
  const verifyOtp = (key: string, otp: string, ip = newIp()) =>
    http().post('/auth/verify-otp').set('X-Forwarded-For', ip).send({ key, otp });

  /** `rounds` fresh sign-in codes, each tried 5 times wrong (its limit), under every name in turn. */
  async function wrongSignInCodes(seed: Seed, names: string[], rounds: number): Promise<void> {
    for (let r = 0; r < rounds; r++) {
      const code = await mailedCode(seed.email, () => sendOtp(seed, names[r % names.length]!));
      const ip = newIp();
      for (let i = 1; i <= 5; i++) {
        expectError(
          await verifyOtp(names[(r + i) % names.length]!, wrongFor(code, i), ip),
          401,
          'INVALID_OTP',
        );
      }
    }
  }

  /** Registering the email of an existing account without a password: a stateToken and its code. */
  async function verificationFlow(spa: AuthClient, email: string) {
    const visitor = await visitorToken(app.t, spa.clientId);
    let stateToken = '';
    const code = await mailedCode(email, async () => {
      const res = await http()
        .post('/auth/v2/register')
        .set(bearer(visitor))
        .send({ loginId: { email }, password: NEW_PASSWORD });
      expect(res.body.state, JSON.stringify(res.body)).toBe('REQUIRE_EMAIL_VERIFICATION');
      stateToken = res.body.stateToken;
    });
    const verify = (c: string) =>
      http()
        .post('/auth/v2/verify')
        .set('X-Forwarded-For', newIp())
        .set(bearer(visitor))
        .send({ code: c, stateToken });
    return { code, verify };
  }

  it('50 wrong codes over fresh codes, names and addresses (and the MFA grant) lock code sign-in until a password sign-in', async () => {
    const { seed, names } = await member();
    // The emailed method of a section 8 MFA challenge (a client that requires MFA, a user without
    // an authenticator): its wrong codes count too.
    const { client: strict } = await seed.provisioning.clients.createClient({
      clientId: unique('strict'),
      name: 'Strict',
      tenantId: seed.tenant.id,
      redirectUrls: ['https://strict.example.com/'],
      public: true,
      mfaRequired: true,
    });
    let challenge: { token: string; methods: { id: string; type: string }[] } | undefined;
    const emailed = await mailedCode(seed.email, async () => {
      const res = await http()
        .post('/auth/v2/oauth1/tokens')
        .send({ email: seed.email, password: seed.password, clientId: strict.clientId });
      expectError(res, 401, 'MFA_REQUIRED');
      challenge = res.body.mfa;
    });
    const method = challenge!.methods.find((m) => m.type === 'email')!;
    for (let i = 1; i <= 5; i++) {
      const res = await http()
        .post('/auth/v2/oauth1/tokens/mfa')
        .set('X-Forwarded-For', newIp())
        .send({ token: challenge!.token, methodId: method.id, code: wrongFor(emailed, i) });
      expectError(res, 401, 'INVALID_MFA_CODE');
    }
    // 45 more on /auth/verify-otp: 9 fresh codes, 5 wrong tries each, every name, new addresses.
    await wrongSignInCodes(seed, names, (DAILY - 5) / 5);

    // The budget is spent: a wrong code and then the right code of a fresh one are refused.
    const code = await mailedCode(seed.email, () => sendOtp(seed, names[0]!));
    expectCodesLocked(await verifyOtp(names[1]!, wrongFor(code)));
    expectCodesLocked(await verifyOtp(names[2]!, code));
    // A new day does not open it: only proving the account does. A wrong password proves nothing.
    await sql(
      app.t,
      `UPDATE user_code_budget SET window_start = now() - interval '2 days' WHERE user_id = $1`,
      [seed.user.id],
    );
    expectCodesLocked(await verifyOtp(names[3]!, code));
    const login = (password: string) =>
      http().post('/auth/login').set('X-Forwarded-For', newIp()).send({
        client_id: seed.client.clientId,
        client_secret: seed.clientSecret,
        username: names[2],
        password,
      });
    expectError(await login(NEW_PASSWORD), 401, 'INVALID_CREDENTIALS');
    expectCodesLocked(await verifyOtp(names[0]!, code));

    // A password sign-in restores the budget: the code (never checked, so never spent) works.
    expect((await login(seed.password)).status).toBe(200);
    const ok = await verifyOtp(names[1]!, code);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('wrong sign-in codes and email verification codes share the budget; a reset link (section 3) restores it', async () => {
    const { seed, spa, names } = await member({ passwordless: true });
    await wrongSignInCodes(seed, names, 5);
    for (let r = 0; r < 5; r++) {
      const flow = await verificationFlow(spa, r % 2 ? seed.email.toUpperCase() : seed.email);
      for (let i = 1; i <= 5; i++)
        expectError(await flow.verify(wrongFor(flow.code, i)), 401, 'INVALID_CODE');
    }
    // Both kinds of code stop, right codes included.
    const flow = await verificationFlow(spa, seed.email);
    expectCodesLocked(await flow.verify(flow.code));
    const code = await mailedCode(seed.email, () => sendOtp(seed, names[2]!));
    expectCodesLocked(await verifyOtp(names[3]!, code));

    // The reset link of section 3 proves the owner: codes work again.
    const token = await mailedLink(seed.email, () =>
      http().post('/auth/forget-password').send({
        username: names[0],
        client_id: seed.client.clientId,
        client_secret: seed.clientSecret,
      }),
    );
    const reset = await http().patch('/auth/reset-password').send({
      token,
      password: NEW_PASSWORD,
      client_id: seed.client.clientId,
      client_secret: seed.clientSecret,
    });
    expect(reset.status, JSON.stringify(reset.body)).toBe(204);
    expect((await verifyOtp(names[1]!, code)).status).toBe(200);
  });

  it('the headless recovery link (section 7) restores it too', async () => {
    const { seed, spa, names } = await member({ passwordless: true });
    for (let r = 0; r < 5; r++) {
      const flow = await verificationFlow(spa, seed.email);
      for (let i = 1; i <= 5; i++)
        expectError(await flow.verify(wrongFor(flow.code, i)), 401, 'INVALID_CODE');
    }
    await wrongSignInCodes(seed, names, 5);
    const flow = await verificationFlow(spa, seed.email);
    expectCodesLocked(await flow.verify(flow.code));

    const visitor = await visitorToken(app.t, spa.clientId);
    const token = await mailedLink(seed.email, () =>
      http()
        .post('/auth/v2/recovery/send-email')
        .set(bearer(visitor))
        .send({ email: seed.email, redirect: { url: 'https://shop.example.com/', clientId: spa.clientId } }),
    );
    const reset = await http().post('/auth/v2/recovery/reset').send({ token, password: NEW_PASSWORD });
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    // The flow refused while locked spent nothing: its code now verifies the email.
    const verified = await flow.verify(flow.code);
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.identity.id).toBe(seed.user.id);
  });

  it('wrong codes by username, then by EMAIL in upper case, count against one account (per address)', async () => {
    const { seed, names } = await member();
    const other = await member();
    const code = await mailedCode(seed.email, () => sendOtp(seed, names[0]!));
    const ip = newIp();
    // One address, LIMIT wrong codes spread over the names; each code burns after 5, so fresh ones.
    let current = code;
    for (let i = 0; i < LIMIT; i++) {
      if (i > 0 && i % 5 === 0) current = await mailedCode(seed.email, () => sendOtp(seed, names[i % 4]!));
      expectError(
        await verifyOtp(names[i % names.length]!, wrongFor(current, i + 1), ip),
        401,
        'INVALID_OTP',
      );
    }
    // Whatever name is typed now, from that address: 429, the right code of a fresh one included.
    const fresh = await mailedCode(seed.email, () => sendOtp(seed, names[1]!));
    for (const name of names) {
      const res = await verifyOtp(name, fresh, ip);
      expectError(res, 429, 'TOO_MANY_REQUESTS');
      expect(res.body.message).not.toMatch(/reset it/); // the per-account limit, not the daily budget
    }
    // Another account from that address, and this account from another address, are not affected.
    expectError(await verifyOtp(other.names[0]!, '000000', ip), 401, 'INVALID_OTP');
    expect((await verifyOtp(names[1]!, fresh)).status).toBe(200);
  });
});
