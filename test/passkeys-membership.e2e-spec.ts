import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEncryptionKey } from '../src/config/config.js';
import { expectError } from './support/assertions.js';
import { seedTenant } from './support/fixtures.js';
import { bearer, visitorToken } from './support/headless.js';
import { MailCatcher } from './support/mail-catcher.js';
import {
  exchangeSessionToken,
  loginActivityMethods,
  memberToken,
  registerPasskey,
  signInOptions,
  signInWith,
} from './support/passkeys.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { SoftAuthenticator } from './support/webauthn.js';

/**
 * A passkey sign-in keeps the membership rules of /auth/v2/login (API.md sections 7 and 13): an
 * unverified email is verified by a mailed code first (and the sign-in then finishes without an
 * MFA step: the passkey proved both factors), a membership waiting for approval gets no tokens.
 */
const PUBLIC = 'http://localhost:4403';
const APP_ORIGIN = 'http://localhost:5176';

describe('passkey sign-in and the membership rules of section 7', () => {
  let t: TestApp;
  const mail = new MailCatcher();

  beforeAll(async () => {
    await mail.start();
    t = await createTestApp({ PUBLIC_URL: PUBLIC, SMTP_URL: mail.url, MAIL_FROM: 'auth@example.com' });
  });
  afterAll(async () => {
    await t?.close();
    await mail.stop();
  });

  it('an unverified email: REQUIRE_EMAIL_VERIFICATION, then /auth/v2/verify answers SUCCESS (no MFA step)', async () => {
    const seed = await seedTenant(t, {
      client: { public: true, allowedOrigins: [APP_ORIGIN], requireEmailVerification: true },
      user: { emailVerified: false },
    });
    const authenticator = new SoftAuthenticator(APP_ORIGIN);
    await registerPasskey(t, await memberToken(t, seed), authenticator);
    const res = await signInWith(t, seed.client.clientId, authenticator);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      state: 'REQUIRE_EMAIL_VERIFICATION',
      sessionToken: null,
      stateToken: expect.any(String),
    });
    const sent = await mail.waitFor(
      (m) => m.to.includes(seed.email.toLowerCase()) && Boolean(MailCatcher.code(m)),
    );
    const verified = await t.http
      .post('/auth/v2/verify')
      .set(bearer(res.visitor))
      .send({ code: MailCatcher.code(sent), stateToken: res.body.stateToken });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body).toMatchObject({ state: 'SUCCESS', sessionToken: expect.any(String) });
    await exchangeSessionToken(t, seed.client.clientId, res.visitor, verified.body.sessionToken);
    expect(await loginActivityMethods(t, seed.user.id)).toContain('PASSKEY');
  });

  it('a membership waiting for approval: REQUIRE_OWNER_APPROVAL without tokens', async () => {
    const seed = await seedTenant(t, { client: { public: true, allowedOrigins: [APP_ORIGIN] } });
    const authenticator = new SoftAuthenticator(APP_ORIGIN);
    await registerPasskey(t, await memberToken(t, seed), authenticator);
    await sql(t, `UPDATE membership SET status = 'PENDING_APPROVAL' WHERE user_id = $1`, [seed.user.id]);
    const res = await signInWith(t, seed.client.clientId, authenticator);
    expect(res.body).toMatchObject({ state: 'REQUIRE_OWNER_APPROVAL', sessionToken: null, stateToken: null });
  });

  it('the headless password login of a member with a passkey asks for the second factor (401 MFA_REQUIRED)', async () => {
    const seed = await seedTenant(t, { client: { public: true, allowedOrigins: [APP_ORIGIN] } });
    await registerPasskey(t, await memberToken(t, seed), new SoftAuthenticator(APP_ORIGIN));
    const res = await signInWith(t, seed.client.clientId, new SoftAuthenticator(APP_ORIGIN));
    const login = await t.http
      .post('/auth/v2/login')
      .set(bearer(res.visitor))
      .send({ loginId: { email: seed.email }, password: seed.password });
    expectError(login, 401, 'MFA_REQUIRED');
  });
});

describe('passkey challenges live in Postgres', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env = { PUBLIC_URL: PUBLIC, ENCRYPTION_KEY: generateEncryptionKey() };
    a = await createTestApp(env);
    b = await createTestApp(env, { databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('one instance finishes the sign-in and the registration another began', async () => {
    const seed = await seedTenant(a, { client: { public: true, allowedOrigins: [APP_ORIGIN] } });
    const token = await memberToken(a, seed);
    const authenticator = new SoftAuthenticator(APP_ORIGIN);
    const start = await a.http.post('/auth/v2/mfa/methods/passkey/options').set(bearer(token)).send({});
    const done = await b.http
      .post('/auth/v2/mfa/methods/passkey')
      .set(bearer(token))
      .send({ stateToken: start.body.stateToken, credential: authenticator.create(start.body.options) });
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    const visitor = await visitorToken(a, seed.client.clientId);
    const options = await signInOptions(a, visitor);
    const signIn = await b.http
      .post('/auth/v2/login/passkey')
      .set(bearer(visitor))
      .send({ stateToken: options.body.stateToken, credential: authenticator.get(options.body.options) });
    expect(signIn.body.state).toBe('SUCCESS');
    // Spent for both instances.
    const again = await a.http
      .post('/auth/v2/login/passkey')
      .set(bearer(visitor))
      .send({ stateToken: options.body.stateToken, credential: authenticator.get(options.body.options) });
    expectError(again, 401, 'INVALID_PASSKEY');
  });

  it('refuses a challenge older than 5 minutes', async () => {
    const seed = await seedTenant(a, { client: { public: true, allowedOrigins: [APP_ORIGIN] } });
    const authenticator = new SoftAuthenticator(APP_ORIGIN);
    await registerPasskey(a, await memberToken(a, seed), authenticator);
    const visitor = await visitorToken(a, seed.client.clientId);
    const options = await signInOptions(a, visitor);
    const [row] = await sql<{ ttl: number }>(
      a,
      `SELECT extract(epoch FROM expires_at - created_at)::int AS ttl FROM passkey_challenge WHERE challenge = $1`,
      [options.body.options.challenge],
    );
    expect(row!.ttl).toBe(300);
    await sql(
      a,
      `UPDATE passkey_challenge SET expires_at = now() - interval '1 second' WHERE challenge = $1`,
      [options.body.options.challenge],
    );
    const res = await a.http
      .post('/auth/v2/login/passkey')
      .set(bearer(visitor))
      .send({ stateToken: options.body.stateToken, credential: authenticator.get(options.body.options) });
    expectError(res, 401, 'INVALID_PASSKEY');
  });
});
