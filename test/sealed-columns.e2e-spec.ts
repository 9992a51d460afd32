import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectTokenResponse } from './support/assertions.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { MailCatcher } from './support/mail-catcher.js';
import { bearer, enrollTotp, expectGrantTokens, passwordGrant } from './support/mfa.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { until } from './support/wait.js';

/**
 * Sealed columns are bound to their row and column (API.md section 12): someone who can write the
 * database but not read ENCRYPTION_KEY cannot move a sealed value they control (their own TOTP
 * secret, their own mail address, their own login data) onto another row. Each test copies a
 * sealed value to another row in SQL and shows the service refusing it: the value reads as absent,
 * a 4xx where a secret was needed, never a 5xx.
 */
describe('sealed values moved to another row do not open', () => {
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

  const copy = (table: string, column: string, from: string, to: string, key = 'id') =>
    sql(
      t,
      `UPDATE ${table} SET ${column} = (SELECT ${column} FROM ${table} WHERE ${key} = $1) WHERE ${key} = $2`,
      [from, to],
    );

  it("an attacker's TOTP secret copied onto the victim's authenticator: the attacker's codes do not pass", async () => {
    const attacker = await seedTenant(t, { client: { public: true } });
    const victim = await seedTenant(t, { client: { public: true } });
    const sessionOf = async (s: Seed) => expectGrantTokens(await passwordGrant(t, s));
    const theirs = await enrollTotp(t, (await sessionOf(attacker)).accessToken, {
      password: attacker.password,
    });
    const mine = await enrollTotp(t, (await sessionOf(victim)).accessToken, { password: victim.password });

    await copy('mfa_method', 'secret_enc', theirs.methodId, mine.methodId);

    const challenge = (await passwordGrant(t, victim)).body.mfa as { token: string };
    // A step after the victim's last accepted one (each step counts once per user).
    const { code } = await mine.totp.next(theirs.secret);
    const res = await t.http
      .post('/auth/v2/oauth1/tokens/mfa')
      .send({ token: challenge.token, methodId: mine.methodId, code });
    expectError(res, 401, 'INVALID_MFA_CODE');
    // The attacker's own authenticator is untouched.
    const own = (await passwordGrant(t, attacker)).body.mfa as { token: string };
    const next = await theirs.totp.next(theirs.secret);
    expectGrantTokens(
      await t.http
        .post('/auth/v2/oauth1/tokens/mfa')
        .send({ token: own.token, methodId: theirs.methodId, code: next.code }),
    );
  });

  it('a session IP copied to another session reads as null in the session list (200)', async () => {
    const s = await seedTenant(t, { client: { public: true } });
    const a = expectGrantTokens(await passwordGrant(t, s));
    const b = expectGrantTokens(await passwordGrant(t, s));
    await copy('session', 'ip_address_enc', a.id, b.id);
    const list = await t.http.get('/auth/v2/oauth1/tokens').set(bearer(a.accessToken));
    expect(list.status).toBe(200);
    const byId = new Map((list.body as { id: string; ipAddress: string | null }[]).map((x) => [x.id, x]));
    expect(byId.get(a.id)!.ipAddress).toEqual(expect.any(String));
    expect(byId.get(b.id)!.ipAddress).toBeNull();
  });

  it("a login-activity payload copied to another user's row reads as null (200), never as that user's", async () => {
    const s = await seedTenant(t, { permissions: ['ViewProfile', 'ViewLoginActivity'] });
    const viewer = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
    const other = await s.provisioning.users.createUser({
      email: `other-${Date.now()}@example.com`,
      password: s.password,
      tenantId: s.tenant.id,
      role: 'member',
    });
    expectTokenResponse(
      await t.http.post('/auth/login-token').send(loginBody(s, { username: other.user.email })),
    );
    const [mineRow] = await sql<{ id: string }>(t, 'SELECT id FROM login_activity WHERE actor = $1', [
      s.user.id,
    ]);
    const [theirRow] = await sql<{ id: string }>(t, 'SELECT id FROM login_activity WHERE actor = $1', [
      other.user.id,
    ]);
    await copy('login_activity', 'token_payload_enc', mineRow!.id, theirRow!.id);
    await copy('login_activity', 'ip_address_enc', mineRow!.id, theirRow!.id);
    const res = await t.http.get(`/login-activity/${theirRow!.id}`).set(bearer(viewer.accessToken));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: theirRow!.id, tokenPayload: null, ipAddress: null });
    const own = await t.http.get(`/login-activity/${mineRow!.id}`).set(bearer(viewer.accessToken));
    expect(JSON.parse(own.body.tokenPayload as string).sub).toBe(s.user.id);
  });

  it("one-time-token data copied to another token's row: that token counts as unknown (401), not 5xx", async () => {
    const a = await seedTenant(t);
    const b = await seedTenant(t);
    const forget = (s: Seed) =>
      t.http
        .post('/auth/forget-password')
        .send({ username: s.email, client_id: s.client.clientId, client_secret: s.clientSecret });
    const linkFor = async (s: Seed) => {
      expect((await forget(s)).status).toBe(204);
      return MailCatcher.linkToken(await mail.waitFor((m) => m.to.includes(s.email.toLowerCase())))!;
    };
    const tokenA = await linkFor(a);
    const tokenB = await linkFor(b);
    const ids = async (s: Seed) =>
      (
        await sql<{ id: string }>(
          t,
          `SELECT id FROM one_time_token WHERE purpose = 'reset-password' AND user_id = $1 AND used_at IS NULL`,
          [s.user.id],
        )
      )[0]!.id;
    await copy('one_time_token', 'data_enc', await ids(a), await ids(b));
    expectError(
      await t.http.get('/auth/verify-reset-password-link').query({ token: tokenB }),
      401,
      'INVALID_TOKEN',
    );
    expectError(
      await t.http.patch('/auth/reset-password').send({
        token: tokenB,
        password: 'Copper-Meadow-Falcon-908',
        client_id: b.client.clientId,
        client_secret: b.clientSecret,
      }),
      401,
      'INVALID_TOKEN',
    );
    expect((await t.http.get('/auth/verify-reset-password-link').query({ token: tokenA })).status).toBe(200);
  });

  it("an outbox recipient copied onto another message: the victim's reset link is never mailed to the attacker", async () => {
    // Mail waits in the outbox of an instance without SMTP (its own database); the copy happens there.
    const quiet = await createTestApp();
    let loud: TestApp | undefined;
    try {
      const victim = await seedTenant(quiet);
      const attacker = await seedTenant(quiet);
      for (const s of [victim, attacker]) {
        const res = await quiet.http
          .post('/auth/forget-password')
          .send({ username: s.email, client_id: s.client.clientId, client_secret: s.clientSecret });
        expect(res.status).toBe(204);
      }
      const rowOf = async (s: Seed) =>
        (
          await sql<{ id: string }>(
            quiet,
            `SELECT id FROM notification_outbox WHERE status = 'pending'
              AND recipient_hash = sha256(convert_to($1, 'UTF8'))`,
            [`email:${s.email.toLowerCase()}`],
          )
        )[0]!.id;
      const victimRow = await rowOf(victim);
      const attackerRow = await rowOf(attacker);
      await sql(
        quiet,
        `UPDATE notification_outbox SET (recipient_enc, recipient_hash) =
           (SELECT recipient_enc, recipient_hash FROM notification_outbox WHERE id = $1) WHERE id = $2`,
        [attackerRow, victimRow],
      );
      // An instance with SMTP delivers what waits.
      loud = await createTestApp(
        {
          ENCRYPTION_KEY: quiet.config.encryptionKey!.toString('base64'),
          SMTP_URL: mail.url,
          MAIL_FROM: 'auth@example.com',
          OUTBOX_POLL_INTERVAL_MS: '100',
        },
        { databaseUrl: quiet.databaseUrl },
      );
      await mail.waitFor((m) => m.to.includes(attacker.email.toLowerCase()));
      const status = await until(async () => {
        const [row] = await sql<{ status: string }>(
          loud!,
          'SELECT status FROM notification_outbox WHERE id = $1',
          [victimRow],
        );
        return row?.status === 'failed' ? row.status : undefined;
      });
      expect(status).toBe('failed');
      expect(mail.for(attacker.email)).toHaveLength(1);
      expect(mail.for(victim.email)).toHaveLength(0);
    } finally {
      await loud?.close();
      await quiet.close();
    }
  });
});
