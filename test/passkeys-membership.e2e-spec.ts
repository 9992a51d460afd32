import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { seedTenant } from './support/fixtures.js';
import { bearer } from './support/headless.js';
import { MailCatcher } from './support/mail-catcher.js';
import {
  exchangeSessionToken,
  loginActivityMethods,
  memberToken,
  registerPasskey,
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
