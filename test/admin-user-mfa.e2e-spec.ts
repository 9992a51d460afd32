import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed, STRONG_PASSWORD, unique } from './support/fixtures.js';
import { MailCatcher } from './support/mail-catcher.js';
import { bearer, enrollTotp } from './support/mfa.js';
import { createTestApp, sql, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';

const KEY = `Bearer ${TEST_ADMIN_KEY}`;

/** DELETE /admin/users/{id}/mfa ("Reset MFA" in the console), owned by the otp module. */
describe('DELETE /admin/users/{id}/mfa', () => {
  let t: TestApp;
  let mail: MailCatcher;
  let admin: Seed;
  let other: Seed;
  let manageAuth: string;

  const grant = (email: string, s: Seed) =>
    t.http
      .post('/auth/v2/oauth1/tokens')
      .send({ email, password: STRONG_PASSWORD, clientId: s.client.clientId });
  const reset = (id: string, auth: string | null = KEY) => {
    const req = t.http.delete(`/admin/users/${id}/mfa`);
    return auth ? req.set('Authorization', auth) : req;
  };
  /** A member of `s` with a confirmed authenticator, and a live session. */
  async function memberWithMfa(s: Seed) {
    const email = `${unique('mfa')}@example.com`;
    const { user } = await s.provisioning.users.createUser({
      email,
      password: STRONG_PASSWORD,
      tenantId: s.tenant.id,
    });
    const session = await grant(email, s);
    await enrollTotp(t, session.body.accessToken, { password: STRONG_PASSWORD });
    expect((await grant(email, s)).body.code).toBe('MFA_REQUIRED');
    return { id: user.id, email, session: session.body.accessToken as string };
  }

  beforeAll(async () => {
    mail = new MailCatcher();
    await mail.start();
    t = await createTestApp({
      SMTP_URL: mail.url,
      MAIL_FROM: 'auth@example.com',
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
    admin = await seedTenant(t, { permissions: ['ManageAuth'] });
    other = await seedTenant(t);
    manageAuth = `Bearer ${(await grant(admin.email, admin)).body.accessToken}`;
  });
  afterAll(async () => {
    await t?.close();
    await mail?.stop();
  });

  it('removes every method, turns MFA off, ends the sessions and mails a notice (204)', async () => {
    const m = await memberWithMfa(admin);
    // A passkey is a method of the MFA store too (its own table): the reset removes it as well.
    await sql(
      t,
      `INSERT INTO passkey_credential (user_id, credential_id, public_key, name) VALUES ($1, $2, '\\x00', 'Laptop')`,
      [m.id, `cred-${m.id}`],
    );
    const res = await reset(m.id, manageAuth);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await sql(t, 'SELECT id FROM mfa_method WHERE user_id = $1', [m.id])).toEqual([]);
    expect(await sql(t, 'SELECT id FROM passkey_credential WHERE user_id = $1', [m.id])).toEqual([]);
    const user = await t.http.get(`/admin/users/${m.id}`).set('Authorization', KEY);
    expect(user.body.mfaEnabled).toBe(false);
    expectError(await t.http.get('/auth/me').set(bearer(m.session)), 401, 'UNAUTHORIZED');
    // The password alone signs in again, and the user was told.
    expect((await grant(m.email, admin)).status).toBe(200);
    // (Confirming the authenticator mailed an "added" notice before; this is the reset's own.)
    const notice = await mail.waitFor(
      (x) => x.to.includes(m.email.toLowerCase()) && x.subject.includes('two-step verification was reset'),
    );
    expect(notice.text).toContain(admin.tenant.name);
    // Again, with MFA already off: still 204.
    expect((await reset(m.id, manageAuth)).status).toBe(204);
  });

  it('a ManageAuth token may not reset a user who also belongs to another tenant (403); the admin key may', async () => {
    const m = await memberWithMfa(admin);
    await admin.provisioning.memberships.addUserToTenant(m.id, { tenantId: other.tenant.id });
    expectError(await reset(m.id, manageAuth), 403, 'FORBIDDEN');
    expect((await sql(t, 'SELECT id FROM mfa_method WHERE user_id = $1', [m.id])).length).toBeGreaterThan(0);
    expect((await reset(m.id, KEY)).status).toBe(204);
    expect(await sql(t, 'SELECT id FROM mfa_method WHERE user_id = $1', [m.id])).toEqual([]);
  });

  it("refuses another tenant's member (403) and leaves their MFA alone", async () => {
    const m = await memberWithMfa(other);
    expectError(await reset(m.id, manageAuth), 403, 'FORBIDDEN');
    expect((await grant(m.email, other)).body.code).toBe('MFA_REQUIRED');
  });

  it('404 for an unknown user or a malformed id; 401 without a Bearer; 403 without ManageAuth', async () => {
    expectError(await reset('00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
    expectError(await reset('12345'), 404, 'NOT_FOUND');
    expectError(await reset(admin.user.id, null), 401, 'UNAUTHORIZED');
    const plain = `Bearer ${(await grant(other.email, other)).body.accessToken}`;
    expectError(await reset(other.user.id, plain), 403, 'FORBIDDEN');
  });
});
