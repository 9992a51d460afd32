import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed, STRONG_PASSWORD, unique } from './support/fixtures.js';
import { expectError, expectTokenResponse } from './support/assertions.js';
import { CaughtMail, MailCatcher } from './support/mail-catcher.js';
import { expectStoredOnlyAsHash, sha256 } from './support/stored-hash.js';
import { answer, describeMalformed } from './support/malformed.js';
import { until } from './support/wait.js';

const MAIL_FROM = 'auth@example.test';
const NEW_PASSWORD = 'Copper-Meadow-Falcon-908';
const RESET_URL = 'https://app.example.com/reset-password';

describe('password recovery (forget / verify / reset) with real mail', () => {
  let t: TestApp;
  let catcher: MailCatcher;

  beforeAll(async () => {
    catcher = new MailCatcher();
    await catcher.start();
    t = await createTestApp({
      SMTP_URL: catcher.url,
      MAIL_FROM,
      OUTBOX_POLL_INTERVAL_MS: '100',
      OUTBOX_RETRY_BASE_MS: '100',
      RATE_LIMIT_PER_ADDRESS: '1000',
    });
  });
  afterAll(async () => {
    await t?.close();
    await catcher?.stop();
  });

  const seed = (client: Record<string, unknown> = { resetPasswordUrl: RESET_URL }) =>
    seedTenant(t, { client });
  const forget = (s: Seed, overrides: Record<string, unknown> = {}) =>
    t.http.post('/auth/forget-password').send({
      username: s.email,
      client_id: s.client.clientId,
      client_secret: s.clientSecret,
      ...overrides,
    });
  const reset = (s: Seed, token: string, overrides: Record<string, unknown> = {}) =>
    t.http.patch('/auth/reset-password').send({
      token,
      password: NEW_PASSWORD,
      client_id: s.client.clientId,
      client_secret: s.clientSecret,
      ...overrides,
    });
  const verify = (token: string) => t.http.get('/auth/verify-reset-password-link').query({ token });
  const resetMails = (to: string) => catcher.for(to).filter((m) => /reset your password/i.test(m.subject));
  const nthResetMail = (to: string, n: number) =>
    until(async () => resetMails(to)[n - 1] as CaughtMail | undefined);
  const tokenOf = (mail: CaughtMail) => {
    const token = MailCatcher.linkToken(mail);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    return token!;
  };

  it('mails a reset link that works once, ends every session and sends a "password changed" mail', async () => {
    const s = await seed();
    const a = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
    const b = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));

    const res = await forget(s);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    const mail = await nthResetMail(s.email, 1);
    expect(mail.from).toBe(MAIL_FROM);
    expect(mail.to).toEqual([s.email]);
    expect(mail.text).toContain(`${RESET_URL}?token=`);
    expect(mail.html).toContain(`href="${RESET_URL}?token=`);
    const token = tokenOf(mail);

    // Only the hash of the token is stored (one row, found by that hash), its data sealed.
    await expectStoredOnlyAsHash(
      t,
      'one_time_token',
      'token_hash',
      sha256(`reset-password:${token}`),
      token,
      [s.email],
    );

    const ok = await verify(token);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ success: true });
    expect((await verify(token)).status).toBe(200); // checking does not spend it

    expect((await reset(s, token)).status).toBe(204);

    // Every refresh token and access token of the user stops working.
    for (const tokens of [a, b]) {
      expectError(
        await t.http.post('/auth/token-refresh').send({ refreshToken: tokens.refreshToken }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      expectError(
        await t.http.get('/auth/me').set('Authorization', `Bearer ${tokens.accessToken}`),
        401,
        'UNAUTHORIZED',
      );
    }
    expectError(await t.http.post('/auth/login-token').send(loginBody(s)), 401, 'INVALID_CREDENTIALS');
    expectTokenResponse(
      await t.http.post('/auth/login-token').send(loginBody(s, { password: NEW_PASSWORD })),
    );

    // Single use.
    expectError(await reset(s, token, { password: 'Another-Fresh-Password-31' }), 401, 'INVALID_TOKEN');
    expectError(await verify(token), 401, 'INVALID_TOKEN');

    const notice = await catcher.waitFor(
      (m) => m.to.includes(s.email.toLowerCase()) && /password was changed/i.test(m.subject),
    );
    expect(MailCatcher.linkToken(notice)).toBeUndefined();
  });

  it('links to the first redirect URL when the client has no resetPasswordUrl', async () => {
    const s = await seed({ redirectUrls: ['https://other.example.com/cb?x=1'] });
    expect((await forget(s)).status).toBe(204);
    const mail = await nthResetMail(s.email, 1);
    expect(mail.text).toMatch(/https:\/\/other\.example\.com\/cb\?x=1&token=[A-Za-z0-9_-]{32,}/);
    expect((await reset(s, tokenOf(mail))).status).toBe(204);
  });

  it('finds the user by username as well as by email', async () => {
    const username = unique('ada');
    const s = await seedTenant(t, { client: { resetPasswordUrl: RESET_URL }, user: { username } });
    expect((await forget(s, { username: username.toUpperCase() })).status).toBe(204);
    const mail = await nthResetMail(s.email, 1);
    expect((await reset(s, tokenOf(mail))).status).toBe(204);
  });

  it('unknown user: the same 204 and the same work, but no mail', async () => {
    const s = await seed();
    const unknown = `${unique('nobody')}@example.com`;
    const tokenRows = async () =>
      Number((await sql<{ n: string }>(t, `SELECT count(*) AS n FROM one_time_token`))[0]!.n);
    const outboxRows = async () =>
      Number((await sql<{ n: string }>(t, `SELECT count(*) AS n FROM notification_outbox`))[0]!.n);

    const before = { tokens: await tokenRows(), outbox: await outboxRows() };
    const forUnknown = await forget(s, { username: unknown });
    const mid = { tokens: await tokenRows(), outbox: await outboxRows() };
    const forKnown = await forget(s);
    const after = { tokens: await tokenRows(), outbox: await outboxRows() };

    // Same answer: status, body and headers (apart from per-request values).
    const shape = (r: typeof forKnown) => ({
      status: r.status,
      body: r.text,
      headers: Object.keys(r.headers)
        .filter((h) => !['date', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'etag'].includes(h))
        .sort(),
    });
    expect(shape(forUnknown)).toEqual(shape(forKnown));
    expect(forUnknown.status).toBe(204);
    // Same class of work: each request wrote one token row in one transaction; only the known
    // user's request wrote an outbox row (the unknown one rehearsed the insert).
    expect(mid.tokens - before.tokens).toBe(1);
    expect(after.tokens - mid.tokens).toBe(1);
    expect(mid.outbox - before.outbox).toBe(0);
    expect(after.outbox - mid.outbox).toBe(1);

    await nthResetMail(s.email, 1);
    await until(async () => {
      const [row] = await sql<{ n: string }>(
        t,
        `SELECT count(*) AS n FROM notification_outbox WHERE status <> 'sent'`,
      );
      return row!.n === '0';
    });
    expect(catcher.for(unknown)).toEqual([]);
  });

  it('mails nobody for a user of another tenant (a client only reaches its own tenant)', async () => {
    const victim = await seed();
    const other = await seed({ resetPasswordUrl: 'https://evil.example.com/reset' });
    expect((await forget(other, { username: victim.email })).status).toBe(204);
    expect((await forget(victim)).status).toBe(204);
    await nthResetMail(victim.email, 1);
    await until(async () => {
      const [row] = await sql<{ n: string }>(
        t,
        `SELECT count(*) AS n FROM notification_outbox WHERE status <> 'sent'`,
      );
      return row!.n === '0';
    });
    expect(resetMails(victim.email)).toHaveLength(1);
    expect(resetMails(victim.email)[0]!.text).not.toContain('evil.example.com');
  });

  it('a newer link voids the older ones', async () => {
    const s = await seed();
    expect((await forget(s)).status).toBe(204);
    const first = tokenOf(await nthResetMail(s.email, 1));
    expect((await forget(s)).status).toBe(204);
    const second = tokenOf(await nthResetMail(s.email, 2));
    expect(second).not.toBe(first);
    expectError(await verify(first), 401, 'INVALID_TOKEN');
    expectError(await reset(s, first), 401, 'INVALID_TOKEN');
    expect((await reset(s, second)).status).toBe(204);
  });

  it('an expired link answers 401 INVALID_TOKEN', async () => {
    const s = await seed();
    expect((await forget(s)).status).toBe(204);
    const token = tokenOf(await nthResetMail(s.email, 1));
    const [row] = await sql<{ expires_at: Date; created_at: Date }>(
      t,
      `SELECT expires_at, created_at FROM one_time_token WHERE user_id = $1 AND purpose = 'reset-password'`,
      [s.user.id],
    );
    // 30 minutes by default.
    // (expires_at is computed by the app, created_at by the database: allow for clock skew between them)
    expect(Math.abs(row!.expires_at.getTime() - row!.created_at.getTime() - 30 * 60_000)).toBeLessThan(5_000);
    await sql(t, `UPDATE one_time_token SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [
      s.user.id,
    ]);
    expectError(await verify(token), 401, 'INVALID_TOKEN');
    expectError(await reset(s, token), 401, 'INVALID_TOKEN');
    expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
  });

  it('a link works only with the client that asked for it, and its secret', async () => {
    const s = await seed();
    const { client: sibling, clientSecret: siblingSecret } = await s.provisioning.clients.createClient({
      clientId: unique('sibling'),
      name: 'Sibling',
      tenantId: s.tenant.id,
      redirectUrls: ['https://sibling.example.com/cb'],
    });
    expect((await forget(s)).status).toBe(204);
    const token = tokenOf(await nthResetMail(s.email, 1));

    expectError(
      await reset(s, token, { client_id: sibling.clientId, client_secret: siblingSecret }),
      401,
      'INVALID_TOKEN',
    );
    expectError(await reset(s, token, { client_secret: undefined }), 401, 'INVALID_CLIENT');
    expectError(
      await reset(s, token, { client_secret: 'wrong-secret-0123456789-0123456789' }),
      401,
      'INVALID_CLIENT',
    );
    expectError(await reset(s, token, { client_id: 'no-such-client' }), 401, 'INVALID_CLIENT');
    expect((await verify(token)).status).toBe(200);
    expect((await reset(s, token)).status).toBe(204);
  });

  it('a public client needs no secret', async () => {
    const s = await seed({ public: true, resetPasswordUrl: RESET_URL });
    expect(s.clientSecret).toBeUndefined();
    expect((await forget(s)).status).toBe(204);
    const token = tokenOf(await nthResetMail(s.email, 1));
    expect((await reset(s, token)).status).toBe(204);
  });

  it('forget-password checks the client: 401 INVALID_CLIENT, and no mail', async () => {
    const s = await seed();
    expectError(await forget(s, { client_id: 'no-such-client' }), 401, 'INVALID_CLIENT');
    expectError(await forget(s, { client_secret: undefined }), 401, 'INVALID_CLIENT');
    expectError(await forget(s, { client_secret: 'x'.repeat(40) }), 401, 'INVALID_CLIENT');
    const [row] = await sql<{ n: string }>(t, `SELECT count(*) AS n FROM one_time_token WHERE user_id = $1`, [
      s.user.id,
    ]);
    expect(row!.n).toBe('0');
  });

  it('refuses weak passwords with 400 WEAK_PASSWORD and keeps the link usable', async () => {
    const s = await seed();
    expect((await forget(s)).status).toBe(204);
    const token = tokenOf(await nthResetMail(s.email, 1));
    for (const weak of [
      'short-pw',
      'x'.repeat(129),
      'password1234',
      `${s.email}-Extra-Words`,
      s.email.toUpperCase() + '99',
    ]) {
      const res = await reset(s, token, { password: weak });
      expectError(res, 400, 'WEAK_PASSWORD');
    }
    expect((await verify(token)).status).toBe(200);
    expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
    expect((await reset(s, token)).status).toBe(204);
  });

  it('unknown and garbage tokens: 401 INVALID_TOKEN', async () => {
    const s = await seed();
    for (const token of ['x'.repeat(43), 'not a token', "'; DROP TABLE app_user; --", 'é'.repeat(40)]) {
      expectError(await verify(token), 401, 'INVALID_TOKEN');
      expectError(await reset(s, token), 401, 'INVALID_TOKEN');
    }
  });

  it('change-password mails a "your password was changed" notice', async () => {
    const s = await seed();
    const tokens = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
    const res = await t.http
      .patch('/auth/change-password')
      .set('Authorization', `Bearer ${tokens.accessToken}`)
      .send({
        refreshToken: tokens.refreshToken,
        username: s.email,
        password: NEW_PASSWORD,
        oldPassword: STRONG_PASSWORD,
      });
    expect(res.status).toBe(200);
    const mail = await catcher.waitFor(
      (m) => m.to.includes(s.email.toLowerCase()) && /password was changed/i.test(m.subject),
    );
    expect(mail.text).toMatch(/password of your account/i);
    expect(mail.html).toContain('<p>');
  });

  it('change-password refuses weak passwords too, and then mails nothing', async () => {
    const s = await seed();
    const tokens = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
    for (const weak of ['short', 'password1234', `My-${s.email}`]) {
      const res = await t.http
        .patch('/auth/change-password')
        .set('Authorization', `Bearer ${tokens.accessToken}`)
        .send({
          refreshToken: tokens.refreshToken,
          username: s.email,
          password: weak,
          oldPassword: STRONG_PASSWORD,
        });
      expectError(res, 400, 'WEAK_PASSWORD');
    }
    const rows = await sql(
      t,
      `SELECT id FROM notification_outbox WHERE created_at > now() - interval '1 minute' AND template = 'password-changed' AND recipient_hash = sha256(convert_to($1, 'UTF8'))`,
      [`email:${s.email.toLowerCase()}`],
    );
    expect(rows).toEqual([]);
  });
});

describe('password recovery: malformed input answers the contract 4xx', () => {
  let t: TestApp;
  let s: Seed;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_ADDRESS: '100000' });
    s = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  // A confidential client without its secret (none, null or empty) or with a wrong one.
  const noSecret = {
    absent: answer(401, 'INVALID_CLIENT'),
    empty: answer(401, 'INVALID_CLIENT'),
    text: answer(401, 'INVALID_CLIENT'),
  };
  /** Unspent reset tokens and the user's password: what no refused request may change. */
  const state = async () =>
    sql(
      t,
      `SELECT (SELECT count(*) FROM one_time_token WHERE used_at IS NULL) AS tokens,
              (SELECT string_agg(password_hash, ',') FROM user_credential WHERE user_id = $1) AS hash`,
      [s.user.id],
    );

  describeMalformed(
    () => t.http,
    [
      {
        method: 'post',
        path: '/auth/forget-password',
        // An unknown user: 204 like a known one, and no mail, no token.
        valid: () => ({
          username: 'nobody@example.com',
          client_id: s.client.clientId,
          client_secret: s.clientSecret,
        }),
        validAnswer: answer(204),
        optional: ['client_secret'],
        fields: { client_id: { text: answer(401, 'INVALID_CLIENT') }, client_secret: noSecret },
        state,
      },
      {
        method: 'patch',
        path: '/auth/reset-password',
        valid: () => ({
          token: 'x'.repeat(43),
          password: NEW_PASSWORD,
          client_id: s.client.clientId,
          client_secret: s.clientSecret,
        }),
        validAnswer: answer(401, 'INVALID_TOKEN'),
        optional: ['client_secret'],
        fields: {
          client_id: { text: answer(401, 'INVALID_CLIENT') },
          client_secret: noSecret,
        },
        state,
      },
    ],
  );

  describe('GET /auth/verify-reset-password-link', () => {
    it('no token, an empty one, a huge one, or an unknown parameter: 422', async () => {
      expectError(await t.http.get('/auth/verify-reset-password-link'), 422, 'VALIDATION_FAILED');
      expectError(await t.http.get('/auth/verify-reset-password-link?token='), 422, 'VALIDATION_FAILED');
      expectError(
        await t.http.get('/auth/verify-reset-password-link').query({ token: 'x'.repeat(600) }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await t.http.get('/auth/verify-reset-password-link').query({ token: 'x'.repeat(43), extra: '1' }),
        422,
        'VALIDATION_FAILED',
      );
    });

    it('a repeated token parameter: 422 naming it', async () => {
      const res = await t.http.get('/auth/verify-reset-password-link?token=a&token=b');
      expectError(res, 422, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'token' })]);
    });
  });

  it('nothing above changed the account', async () => {
    expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
  });
});

describe('password recovery: throttling', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      RATE_LIMIT_PER_ADDRESS: '3',
      RATE_LIMIT_PER_ACCOUNT: '1',
      RATE_LIMIT_PER_IP: '100000',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('caps requests naming one address, known or not, from any client: 429 with Retry-After', async () => {
    const s = await seedTenant(t);
    const body = (username: string) => ({
      username,
      client_id: s.client.clientId,
      client_secret: s.clientSecret,
    });
    for (const username of [s.email, `${unique('ghost')}@example.com`]) {
      for (let i = 0; i < 3; i++)
        expect((await t.http.post('/auth/forget-password').send(body(username))).status).toBe(204);
      const res = await t.http.post('/auth/forget-password').send(body(username.toUpperCase()));
      expectError(res, 429, 'TOO_MANY_REQUESTS');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Another address is unaffected.
    const other = await seedTenant(t);
    expect(
      (
        await t.http.post('/auth/forget-password').send({
          username: other.email,
          client_id: other.client.clientId,
          client_secret: other.clientSecret,
        })
      ).status,
    ).toBe(204);
  });

  it('counts bad link tokens per IP: 429 once over the limit', async () => {
    let last = 0;
    for (let i = 0; i < 12 && last !== 429; i++) {
      last = (
        await t.http.get('/auth/verify-reset-password-link').query({ token: `bad-${i}-${'x'.repeat(40)}` })
      ).status;
    }
    expect(last).toBe(429);
  });
});

describe('password recovery: per-IP request limit', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_IP: '3', RATE_LIMIT_PER_ADDRESS: '100000' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('every route answers 429 TOO_MANY_REQUESTS past RATE_LIMIT_PER_IP', async () => {
    const requests = [
      () => t.http.post('/auth/forget-password').send({ username: 'a@example.com', client_id: 'c' }),
      () => t.http.get('/auth/verify-reset-password-link').query({ token: 'x'.repeat(43) }),
      () =>
        t.http
          .patch('/auth/reset-password')
          .send({ token: 'x'.repeat(43), password: NEW_PASSWORD, client_id: 'c' }),
    ];
    for (const request of requests) {
      for (let i = 0; i < 3; i++) expect((await request()).status).not.toBe(429);
      const res = await request();
      expectError(res, 429, 'TOO_MANY_REQUESTS');
      expect(res.headers['retry-after']).toBeDefined();
    }
  });
});
