import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectTokenResponse } from './support/assertions.js';
import { loginBody, seedTenant, unique } from './support/fixtures.js';
import { CaughtMail, MailCatcher } from './support/mail-catcher.js';
import { bearer, enrollTotp, expectGrantTokens, passwordGrant } from './support/mfa.js';
import { createTestApp, sql, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';

const KEY = `Bearer ${TEST_ADMIN_KEY}`;

/**
 * API.md section 12: a user is mailed a notice when an authenticator is added (confirmed) or
 * removed, and when their password is set by an admin or by recovery, so that someone holding a
 * stolen session, or a tenant admin, cannot quietly take the account over. Read from a real SMTP
 * catcher.
 */
describe('security notices', () => {
  let t: TestApp;
  let mail: MailCatcher;

  beforeAll(async () => {
    mail = new MailCatcher();
    await mail.start();
    t = await createTestApp({
      SMTP_URL: mail.url,
      MAIL_FROM: 'auth@example.com',
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
  });
  afterAll(async () => {
    await t?.close();
    await mail?.stop();
  });

  const notices = (to: string, subject: RegExp) => mail.for(to).filter((m) => subject.test(m.subject));
  /**
   * The outbox rows of one template for one address. A notice is written in the transaction of the
   * change it announces, so when the route has answered, every notice it will ever send is here:
   * no need to wait and see whether a mail turns up.
   */
  const queued = async (to: string, template: string) =>
    sql(
      t,
      `SELECT id FROM notification_outbox WHERE template = $1 AND recipient_hash = sha256(convert_to($2, 'UTF8'))`,
      [template, `email:${to.toLowerCase()}`],
    );
  const noticeFor = (to: string, subject: RegExp): Promise<CaughtMail> =>
    mail.waitFor((m) => m.to.includes(to.toLowerCase()) && subject.test(m.subject));

  it('adding (confirming) an authenticator and removing one mail the user; a pending one does not', async () => {
    const s = await seedTenant(t, { client: { public: true } });
    const session = expectGrantTokens(await passwordGrant(t, s));
    // A pending authenticator is nothing yet.
    const pending = await t.http
      .post('/auth/v2/mfa/methods/totp')
      .set(bearer(session.accessToken))
      .send({ password: s.password });
    expect(pending.status).toBe(200);
    expect(await queued(s.email, 'authenticator-added')).toHaveLength(0);
    expect(notices(s.email, /authenticator was added/)).toHaveLength(0);

    const enrolled = await enrollTotp(t, session.accessToken, { password: s.password });
    const added = await noticeFor(s.email, /authenticator was added/);
    expect(added.text).toContain('Authenticator app');
    expect(added.text).toMatch(/If this was not you/);

    const removed = await t.http
      .delete(`/auth/v2/mfa/methods/${enrolled.methodId}`)
      .set(bearer(session.accessToken))
      .send({ password: s.password });
    expect(removed.status, JSON.stringify(removed.body)).toBe(204);
    const gone = await noticeFor(s.email, /authenticator was removed/);
    expect(gone.text).toMatch(/was removed from your account/);
    expect(notices(s.email, /authenticator was added/)).toHaveLength(1);
  });

  it("a password a tenant admin (ManageAuth) sets is announced to the account's own address", async () => {
    const admin = await seedTenant(t, { permissions: ['ManageAuth'] });
    const manageAuth = `Bearer ${expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(admin))).accessToken}`;
    const address = `${unique('member')}@example.com`;
    const member = await t.http
      .post('/admin/users')
      .set('Authorization', KEY)
      .send({ email: address, password: admin.password, tenantId: admin.tenant.id });
    expect(member.status).toBe(201);
    // The admin moves the account to an address of its own and sets a password in one PATCH.
    const takeover = `${unique('admin-owned')}@example.com`;
    const res = await t.http
      .patch(`/admin/users/${member.body.id}`)
      .set('Authorization', manageAuth)
      .send({ email: takeover, password: 'Admin-Chosen-Password-913' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const notice = await noticeFor(address, /password was set by an administrator/);
    expect(notice.text).toMatch(/An administrator set a new password/);
    expect(notices(takeover, /password was set/)).toHaveLength(0);
  });

  it('a password the ADMIN_API_KEY sets is announced too; a refused PATCH mails nothing', async () => {
    const s = await seedTenant(t);
    const weak = await t.http
      .patch(`/admin/users/${s.user.id}`)
      .set('Authorization', KEY)
      .send({ password: 'short' });
    expect(weak.status).toBe(400);
    const ok = await t.http
      .patch(`/admin/users/${s.user.id}`)
      .set('Authorization', KEY)
      .send({ password: 'Operator-Chosen-Password-57' });
    expect(ok.status).toBe(200);
    await noticeFor(s.email, /password was set by an administrator/);
    expect(await queued(s.email, 'password-set-by-admin')).toHaveLength(1);
    expect(notices(s.email, /password was set by an administrator/)).toHaveLength(1);
  });
});
