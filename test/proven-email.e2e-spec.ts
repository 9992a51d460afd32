import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';
import { loginBody, seedTenant, Seed, unique } from './support/fixtures.js';
import { bearer, visitorToken } from './support/headless.js';
import { followRedirects } from './support/idp/http.js';
import { OidcIdp, startOidcIdp } from './support/idp/oidc-idp.js';
import { MailCatcher } from './support/mail-catcher.js';
import { browser, codeOf, exchange, pathOf, PUBLIC_URL } from './support/social.js';
import { createTestApp, sql, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';
import { until } from './support/wait.js';

const KEY = `Bearer ${TEST_ADMIN_KEY}`;
const GOOGLE = { clientId: 'google-client', clientSecret: 'google-secret-0123456789' };
const ATTACKER_PASSWORD = 'Attacker-Owned-Harbour-77';
const VICTIM_PASSWORD = 'Victim-Chosen-Lantern-31';

/**
 * The proven-email model of API.md section 12, attacked the way it would be: someone who does not
 * own an address gets an account with it (a sign-up that asks for no mail proof, or a tenant admin
 * who creates it), with a password they know; the owner later signs in with Google somewhere and,
 * without the rule, Google would be linked to that account and the attacker's password would open
 * the owner's login. Real OpenID Provider, real SMTP catcher.
 */
describe('proven email: social linking only to a proven address', () => {
  let idp: OidcIdp;
  let mail: MailCatcher;
  let t: TestApp;
  /** Where the victim signs in with Google (a tenant the attacker has nothing to do with). */
  let victimApp: Seed;

  beforeAll(async () => {
    mail = new MailCatcher();
    await mail.start();
    idp = await startOidcIdp([{ ...GOOGLE, redirectUri: `${PUBLIC_URL}/auth/google-auth-redirect` }]);
    t = await createTestApp({
      PUBLIC_URL,
      GOOGLE_CLIENT_ID: GOOGLE.clientId,
      GOOGLE_CLIENT_SECRET: GOOGLE.clientSecret,
      GOOGLE_ISSUER: idp.issuer,
      SMTP_URL: mail.url,
      MAIL_FROM: 'auth@example.com',
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
    victimApp = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
    await mail?.stop();
  });

  const victim = () => ({ sub: unique('google-sub'), email: `${unique('victim')}@example.com` });

  /** The victim signs in with Google (a verified email) at the victim's app, in a browser of their own. */
  async function googleLogin(who: { sub: string; email: string }, app: Seed = victimApp) {
    const web = browser(t);
    const start = await web
      .post('/auth/google')
      .send({ client_id: app.client.clientId, client_secret: app.clientSecret });
    expect(start.status, JSON.stringify(start.body)).toBe(302);
    idp.loginAs({ sub: who.sub, email: who.email, email_verified: true, given_name: 'Victim' });
    const callback = await followRedirects(start.headers.location as string, PUBLIC_URL);
    return web.get(pathOf(callback));
  }

  const userByEmail = async (email: string) =>
    (
      await sql<{ id: string; email_verified: boolean }>(
        t,
        'SELECT id, email_verified FROM app_user WHERE lower(email) = lower($1)',
        [email],
      )
    )[0];

  /** 409 ACCOUNT_EXISTS, and nothing linked: no credential, no membership, no second account. */
  async function refusedAndNothingLinked(who: { sub: string; email: string }, accountId: string) {
    const res = await googleLogin(who);
    expectError(res, 409, 'ACCOUNT_EXISTS');
    expect(res.body.message).toMatch(/sign in with your password, or reset it, to link this provider/);
    expect(res.headers.location).toBeUndefined();
    expect(
      await sql(t, `SELECT 1 FROM user_credential WHERE provider = 'google' AND external_id = $1`, [who.sub]),
    ).toHaveLength(0);
    expect(
      await sql(t, 'SELECT 1 FROM membership WHERE user_id = $1 AND tenant_id = $2', [
        accountId,
        victimApp.tenant.id,
      ]),
    ).toHaveLength(0);
    expect(await sql(t, 'SELECT 1 FROM app_user WHERE lower(email) = lower($1)', [who.email])).toHaveLength(
      1,
    );
  }

  const resetMail = (to: string, n: number) =>
    until(async () => mail.for(to).filter((m) => /reset your password/i.test(m.subject))[n - 1]);

  it('a sign-up without mail proof (/auth/v2/register) gets 409 ACCOUNT_EXISTS; the reset link proves the address, then Google links', async () => {
    const lax = await seedTenant(t, {
      client: {
        public: true,
        requireEmailVerification: false,
        resetPasswordUrl: 'https://lax.example.com/reset',
      },
    });
    const who = victim();
    // The attacker registers the victim's address with a password of their own: ACTIVE at once.
    const visitor = await visitorToken(t, lax.client.clientId);
    const registered = await t.http
      .post('/auth/v2/register')
      .set(bearer(visitor))
      .send({ loginId: { email: who.email }, password: ATTACKER_PASSWORD });
    expect(registered.body.state, JSON.stringify(registered.body)).toBe('SUCCESS');
    const account = (await userByEmail(who.email))!;
    expect(account.email_verified).toBe(false);

    await refusedAndNothingLinked(who, account.id);

    // The owner of the mailbox resets the password (the link proves the address) ...
    expect(
      (
        await t.http
          .post('/auth/forget-password')
          .send({ username: who.email, client_id: lax.client.clientId })
      ).status,
    ).toBe(204);
    const token = MailCatcher.linkToken(await resetMail(who.email, 1))!;
    const reset = await t.http
      .patch('/auth/reset-password')
      .send({ token, password: VICTIM_PASSWORD, client_id: lax.client.clientId });
    expect(reset.status, JSON.stringify(reset.body)).toBe(204);
    expect((await userByEmail(who.email))!.email_verified).toBe(true);

    // ... and now Google links to that account, which the attacker's password no longer opens.
    const tokens = expectTokenResponse(
      await exchange(t, codeOf(await googleLogin(who)), victimApp.client.clientId),
    );
    expect(decodeClaims(tokens.accessToken).sub).toBe(account.id);
    expectError(
      await t.http
        .post('/auth/login-token')
        .send(loginBody(lax, { username: who.email, password: ATTACKER_PASSWORD })),
      401,
      'INVALID_CREDENTIALS',
    );
  });

  it("a tenant admin's (ManageAuth) emailVerified is ignored: the accounts it creates or re-addresses start unproven", async () => {
    const tenant = await seedTenant(t, { permissions: ['ManageAuth'] });
    const manageAuth = `Bearer ${expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(tenant))).accessToken}`;
    const who = victim();
    const created = await t.http.post('/admin/users').set('Authorization', manageAuth).send({
      email: who.email,
      password: ATTACKER_PASSWORD,
      tenantId: tenant.tenant.id,
      emailVerified: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const shown = await t.http.get(`/admin/users/${created.body.id}`).set('Authorization', manageAuth);
    expect(shown.body.emailVerified).toBe(false);
    await refusedAndNothingLinked(who, created.body.id);

    // Moving one of its users to the victim's address: unproven too, whatever it says.
    const other = victim();
    const mine = await t.http
      .post('/admin/users')
      .set('Authorization', manageAuth)
      .send({
        email: `${unique('staff')}@example.com`,
        password: ATTACKER_PASSWORD,
        tenantId: tenant.tenant.id,
      });
    const moved = await t.http
      .patch(`/admin/users/${mine.body.id}`)
      .set('Authorization', manageAuth)
      .send({ email: other.email, emailVerified: true });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ email: other.email, emailVerified: false });
    await refusedAndNothingLinked(other, mine.body.id);
    // Nor can it vouch for an address after the fact.
    const vouched = await t.http
      .patch(`/admin/users/${mine.body.id}`)
      .set('Authorization', manageAuth)
      .send({ emailVerified: true });
    expect(vouched.body.emailVerified).toBe(false);
  });

  it("the operator's ADMIN_API_KEY vouches: emailVerified is true unless it sends false", async () => {
    const tenant = await seedTenant(t);
    const proven = victim();
    const created = await t.http
      .post('/admin/users')
      .set('Authorization', KEY)
      .send({ email: proven.email, tenantId: tenant.tenant.id });
    expect(created.status).toBe(201);
    expect((await userByEmail(proven.email))!.email_verified).toBe(true);
    const tokens = expectTokenResponse(
      await exchange(t, codeOf(await googleLogin(proven)), victimApp.client.clientId),
    );
    expect(decodeClaims(tokens.accessToken).sub).toBe(created.body.id);

    const unproven = victim();
    const other = await t.http
      .post('/admin/users')
      .set('Authorization', KEY)
      .send({ email: unproven.email, tenantId: tenant.tenant.id, emailVerified: false });
    expect((await userByEmail(unproven.email))!.email_verified).toBe(false);
    await refusedAndNothingLinked(unproven, other.body.id);
    // A new address set by the key is proven unless it says otherwise.
    const next = `${unique('moved')}@example.com`;
    const moved = await t.http
      .patch(`/admin/users/${other.body.id}`)
      .set('Authorization', KEY)
      .send({ email: next });
    expect(moved.body).toMatchObject({ email: next, emailVerified: true });
  });

  it('a reset link proves only the address it was mailed to', async () => {
    const tenant = await seedTenant(t, {
      client: { resetPasswordUrl: 'https://app.example.com/reset' },
      user: { emailVerified: false },
    });
    expect(
      (
        await t.http.post('/auth/forget-password').send({
          username: tenant.email,
          client_id: tenant.client.clientId,
          client_secret: tenant.clientSecret,
        })
      ).status,
    ).toBe(204);
    const token = MailCatcher.linkToken(await resetMail(tenant.email, 1))!;
    // The address changes (unproven) before the link mailed to the old one is used.
    const next = `${unique('new')}@example.com`;
    await t.http
      .patch(`/admin/users/${tenant.user.id}`)
      .set('Authorization', KEY)
      .send({ email: next, emailVerified: false });
    const reset = await t.http.patch('/auth/reset-password').send({
      token,
      password: VICTIM_PASSWORD,
      client_id: tenant.client.clientId,
      client_secret: tenant.clientSecret,
    });
    expect(reset.status).toBe(204);
    expect((await userByEmail(next))!.email_verified).toBe(false);
  });

  it("an operator-made user (the seed, ADMIN_API_KEY's default) stays proven: a verified Google email links", async () => {
    const res = await googleLogin({ sub: unique('google-sub'), email: victimApp.email });
    const tokens = expectTokenResponse(await exchange(t, codeOf(res), victimApp.client.clientId));
    expect(decodeClaims(tokens.accessToken).sub).toBe(victimApp.user.id);
  });
});
