import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import type { AuthClient } from '../src/identity/identity.types.js';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed, STRONG_PASSWORD, unique } from './support/fixtures.js';
import { bearer, createPublicApp, PublicApp, visitorToken } from './support/headless.js';
import { MailCatcher } from './support/mail-catcher.js';
import { sql } from './support/test-app.js';

/** RATE_LIMIT_PER_ADDRESS: messages one account (or one unknown address) may be sent an hour. */
const PER_ADDRESS = 4;

function expectThrottled(res: Response): void {
  expectError(res, 429, 'TOO_MANY_REQUESTS');
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

/**
 * API.md section 12, "Emailed and texted codes" (the mail limit counts per account, whatever
 * name or address was typed) and "register reveals nothing" (an existing account's id and status
 * never show in the answer of /auth/v2/register).
 */
describe('mail budget per account, and a register that reveals nothing', () => {
  let app: PublicApp;
  let mail: MailCatcher;
  let seed: Seed;
  let spa: AuthClient;
  const http = () => app.t.http;

  beforeAll(async () => {
    mail = new MailCatcher();
    await mail.start();
    app = await createPublicApp({
      SMTP_URL: mail.url,
      MAIL_FROM: 'auth@example.com',
      OUTBOX_POLL_INTERVAL_MS: '50',
      RATE_LIMIT_PER_ADDRESS: String(PER_ADDRESS),
    });
    seed = await seedTenant(app.t);
    spa = (
      await seed.provisioning.clients.createClient({
        clientId: unique('spa'),
        name: 'Shop',
        tenantId: seed.tenant.id,
        redirectUrls: ['https://shop.example.com/'],
        allowedOrigins: ['https://shop.example.com'],
        public: true,
      })
    ).client;
  });
  afterAll(async () => {
    await app?.close();
    await mail?.stop();
  });

  const clientBody = () => ({ client_id: seed.client.clientId, client_secret: seed.clientSecret });
  const sendOtp = (key: string) =>
    http()
      .post('/auth/send-otp')
      .send({ ...clientBody(), key });
  const forgetPassword = (username: string) =>
    http()
      .post('/auth/forget-password')
      .send({ ...clientBody(), username });
  const signUpToken = (email: string) =>
    http()
      .post('/auth/sign-up/create-token')
      .send({ ...clientBody(), email });
  const register = async (email: string, password = STRONG_PASSWORD) =>
    http()
      .post('/auth/v2/register')
      .set(bearer(await visitorToken(app.t, spa.clientId)))
      .send({ loginId: { email }, password });
  const recoveryEmail = async (email: string) =>
    http()
      .post('/auth/v2/recovery/send-email')
      .set(bearer(await visitorToken(app.t, spa.clientId)))
      .send({ email, redirect: { url: 'https://shop.example.com/', clientId: spa.clientId } });
  /** Messages queued for an address (the outbox keeps a hash of the normalised recipient). */
  const queuedFor = async (email: string) => {
    const hash = createHash('sha256').update(`email:${email.toLowerCase()}`).digest();
    const [row] = await sql<{ n: number }>(
      app.t,
      `SELECT count(*)::int AS n FROM notification_outbox WHERE recipient_hash = $1`,
      [hash],
    );
    return row!.n;
  };

  it('the username, the email and their upper-case forms share one mail budget across every route', async () => {
    const username = unique('carol');
    const { user } = await seed.provisioning.users.createUser({
      email: `${unique('carol')}@example.com`,
      username,
      tenantId: seed.tenant.id,
    });
    const email = user.email!;
    const EMAIL = email.toUpperCase();

    // Four messages, asked for under four spellings of one account on four routes.
    expect((await sendOtp(username)).status).toBe(200);
    expect((await forgetPassword(EMAIL)).status).toBe(204);
    const reg = await register(email);
    expect(reg.body.state, JSON.stringify(reg.body)).toBe('REQUIRE_EMAIL_VERIFICATION');
    const resend = async () =>
      http()
        .post('/auth/v2/verify/resend')
        .set(bearer(await visitorToken(app.t, spa.clientId)))
        .send({ stateToken: reg.body.stateToken });
    expect((await resend()).status).toBe(200);

    // The account's budget is spent, whichever name is typed and whichever route is used.
    expectThrottled(await sendOtp(username.toUpperCase()));
    expectThrottled(await sendOtp(EMAIL));
    expectThrottled(await forgetPassword(username));
    expectThrottled(await signUpToken(EMAIL));
    expectThrottled(await register(email.replace(/^./, (c) => c.toUpperCase())));
    expectThrottled(await recoveryEmail(EMAIL));
    expectThrottled(await resend());
    expect(await queuedFor(email)).toBe(PER_ADDRESS);

    // Another account is not affected.
    const other = await seedTenant(app.t, { user: { username: unique('dave') } });
    expect((await sendOtp(other.user.username!)).status).toBe(200);
  });

  it('a name that matches no account counts as itself, in any letter case, and the answers are those of a known one', async () => {
    const nobody = `${unique('nobody')}@example.com`;
    expect((await sendOtp(nobody)).status).toBe(200);
    expect((await forgetPassword(nobody.toUpperCase())).status).toBe(204);
    expect((await signUpToken(nobody)).status).toBe(204);
    expect((await recoveryEmail(nobody.toUpperCase())).status).toBe(200);
    expectThrottled(await sendOtp(nobody.toUpperCase()));
    expectThrottled(await forgetPassword(nobody));
    // Another unknown name has its own budget.
    expect((await sendOtp(`${unique('nobody')}@example.com`)).status).toBe(200);
  });

  it('register for an existing account answers like a new registration, never with its id or status', async () => {
    const fresh = `${unique('new')}@example.com`;
    const created = await register(fresh);
    expect(created.status).toBe(200);
    const shape = {
      state: 'REQUIRE_EMAIL_VERIFICATION',
      sessionToken: null,
      stateToken: expect.any(String),
      identity: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: fresh,
        status: 'PENDING_VERIFICATION',
      },
    };
    expect(created.body).toEqual(shape);

    // Existing accounts without a password: an active member, a locked one, and a user of
    // another tenant only. The email is typed in another letter case.
    const other = await seedTenant(app.t);
    const accounts = await Promise.all(
      (['ACTIVE', 'LOCKED', 'elsewhere'] as const).map(async (kind) => {
        const email = `${unique('contact')}@example.com`;
        const { user } = await seed.provisioning.users.createUser({
          email,
          tenantId: kind === 'elsewhere' ? other.tenant.id : seed.tenant.id,
          ...(kind === 'elsewhere' ? {} : { status: kind }),
        });
        return { user, typed: email.toUpperCase() };
      }),
    );
    for (const { user, typed } of accounts) {
      const res = await register(typed);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toEqual({ ...shape, identity: { ...shape.identity, email: typed } });
      expect(JSON.stringify(res.body)).not.toContain(user.id);
      expect(JSON.stringify(res.body)).not.toMatch(/ACTIVE|LOCKED/);
    }

    // With a password the contract's 409 stands, and it shows nothing of the account either.
    const taken = await register(seed.email.toUpperCase());
    expectError(taken, 409, 'EMAIL_ALREADY_EXISTS');
    expect(JSON.stringify(taken.body)).not.toContain(seed.user.id);
    expect(Object.keys(taken.body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);

    // The mailbox, once proven with the mailed code, shows the account it owns.
    const active = accounts[0]!;
    const visitor = await visitorToken(app.t, spa.clientId);
    // The code of the registration above must have arrived first (the outbox delivers in the
    // background), or it could be taken for the new one that replaces it.
    await mail.waitFor((x) => x.to.includes(active.user.email!) && !!MailCatcher.code(x));
    const before = mail.for(active.user.email!).length;
    const reg = await http()
      .post('/auth/v2/register')
      .set(bearer(visitor))
      .send({ loginId: { email: active.typed }, password: STRONG_PASSWORD });
    const m = await mail.waitFor(
      (x) =>
        x.to.includes(active.user.email!) &&
        mail.for(active.user.email!).indexOf(x) >= before &&
        !!MailCatcher.code(x),
    );
    const verified = await http()
      .post('/auth/v2/verify')
      .set(bearer(visitor))
      .send({ code: MailCatcher.code(m), stateToken: reg.body.stateToken });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.identity.id).toBe(active.user.id);
  });
});
