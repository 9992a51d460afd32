import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { expectError, expectTokenResponse } from './support/assertions.js';
import { CaughtMail, MailCatcher } from './support/mail-catcher.js';
import { answer, describeMalformed, MalformedRoute } from './support/malformed.js';
import { until } from './support/wait.js';
import { expectStoredOnlyAsHash, sha256 } from './support/stored-hash.js';

const MAIL_FROM = 'auth@example.test';
const PASSWORD = 'Granite-Orchard-Whistle-66';
const SIGN_UP_URL = 'https://app.example.com/sign-up';

describe('sign-up by emailed token with real mail', () => {
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

  const seed = (client: Record<string, unknown> = { signUpUrl: SIGN_UP_URL }) => seedTenant(t, { client });
  const newEmail = () => `${unique('new')}@example.com`;
  const createToken = (s: Seed, email: string, extra: Record<string, unknown> = {}) =>
    t.http.post('/auth/sign-up/create-token').send({
      email,
      client_id: s.client.clientId,
      client_secret: s.clientSecret,
      ...extra,
    });
  const verifyToken = (token: string) =>
    t.http.get('/auth/sign-up/verify-token').set('Authorization', `Bearer ${token}`);
  const createUser = (token: string, body: Record<string, unknown>) =>
    t.http.post('/auth/sign-up/create-user').set('Authorization', `Bearer ${token}`).send(body);
  const signUpMails = (to: string) => catcher.for(to).filter((m) => /finish signing up/i.test(m.subject));
  const nthSignUpMail = (to: string, n: number) =>
    until(async () => signUpMails(to)[n - 1] as CaughtMail | undefined);
  const tokenOf = (mail: CaughtMail) => {
    const token = MailCatcher.linkToken(mail);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    return token!;
  };
  const mailedToken = async (s: Seed, email: string, n = 1, extra: Record<string, unknown> = {}) => {
    expect((await createToken(s, email, extra)).status).toBe(204);
    return tokenOf(await nthSignUpMail(email, n));
  };

  it('mails a link whose token creates an ACTIVE, verified member who can log in; the token works once', async () => {
    const s = await seed();
    const email = newEmail();
    const data = { firstName: 'Ada', lastName: 'Lovelace', language: 'en', customFields: { plan: 'pro' } };
    const res = await createToken(s, email, { data });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    const mail = await nthSignUpMail(email, 1);
    expect(mail.from).toBe(MAIL_FROM);
    expect(mail.text).toContain(`${SIGN_UP_URL}?token=`);
    expect(mail.html).toContain(`href="${SIGN_UP_URL}?token=`);
    const token = tokenOf(mail);
    // Only the hash of the token is stored (one row, found by that hash); the email is sealed.
    await expectStoredOnlyAsHash(t, 'one_time_token', 'token_hash', sha256(`sign-up:${token}`), token, [
      email,
    ]);

    const info = await verifyToken(token);
    expect(info.status).toBe(200);
    expect(info.headers['cache-control']).toContain('no-store');
    expect(info.body).toEqual({
      email,
      expiry: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const lifetime = new Date(info.body.expiry).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(25 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(30 * 60_000);

    const created = await createUser(token, { email: email.toUpperCase(), password: PASSWORD });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), email });

    const [user] = await sql<{
      email: string;
      username: string;
      email_verified: boolean;
      first_name: string;
      last_name: string;
      profile: unknown;
    }>(
      t,
      `SELECT email, username, email_verified, first_name, last_name, profile FROM app_user WHERE id = $1`,
      [created.body.id],
    );
    expect(user).toEqual({
      email,
      username: email,
      email_verified: true,
      first_name: 'Ada',
      last_name: 'Lovelace',
      profile: data,
    });
    const memberships = await sql<{ tenant_id: string; status: string }>(
      t,
      `SELECT tenant_id, status FROM membership WHERE user_id = $1`,
      [created.body.id],
    );
    expect(memberships).toEqual([{ tenant_id: s.tenant.id, status: 'ACTIVE' }]);

    const tokens = expectTokenResponse(
      await t.http.post('/auth/login-token').send({
        client_id: s.client.clientId,
        client_secret: s.clientSecret,
        username: email,
        password: PASSWORD,
      }),
    );
    const me = await t.http.get('/auth/me').set('Authorization', `Bearer ${tokens.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: created.body.id, email, username: email, tenantId: s.tenant.id });

    // Spent.
    expectError(await createUser(token, { email, password: PASSWORD }), 401, 'INVALID_TOKEN');
    expectError(await verifyToken(token), 401, 'INVALID_TOKEN');
  });

  it('links to the first redirect URL when the client has no signUpUrl', async () => {
    const s = await seed({ redirectUrls: ['myapp://sign-up'] });
    const email = newEmail();
    expect((await createToken(s, email)).status).toBe(204);
    const mail = await nthSignUpMail(email, 1);
    expect(mail.text).toMatch(/myapp:\/\/sign-up\?token=[A-Za-z0-9_-]{32,}/);
    expect((await createUser(tokenOf(mail), { email, password: PASSWORD })).status).toBe(200);
  });

  it('an address that has an account: the same 204, and an "already have an account" mail without a token', async () => {
    const s = await seed();
    const fresh = newEmail();
    const forNew = await createToken(s, fresh);
    const forExisting = await createToken(s, s.email.toUpperCase());
    expect(forExisting.status).toBe(204);
    expect(forExisting.text).toBe(forNew.text);

    const notice = await catcher.waitFor(
      (m) => m.to.includes(s.email.toLowerCase()) && /already have an account/i.test(m.subject),
    );
    expect(MailCatcher.linkToken(notice)).toBeUndefined();
    expect(signUpMails(s.email)).toEqual([]);
    await nthSignUpMail(fresh, 1);
  });

  it('email mismatch: 400 EMAIL_MISMATCH and the token stays good', async () => {
    const s = await seed();
    const email = newEmail();
    const token = await mailedToken(s, email);
    expectError(await createUser(token, { email: newEmail(), password: PASSWORD }), 400, 'EMAIL_MISMATCH');
    expect((await verifyToken(token)).status).toBe(200);
    expect((await createUser(token, { email, password: PASSWORD })).status).toBe(200);
  });

  it('weak passwords: 400 WEAK_PASSWORD and the token stays good', async () => {
    const s = await seed();
    const email = newEmail();
    const token = await mailedToken(s, email);
    for (const weak of ['short', 'y'.repeat(129), 'qwertyuiop123', `${email}!`, `X${email.toUpperCase()}`]) {
      expectError(await createUser(token, { email, password: weak }), 400, 'WEAK_PASSWORD');
    }
    expect((await verifyToken(token)).status).toBe(200);
    expect((await createUser(token, { email, password: PASSWORD })).status).toBe(200);
  });

  it('an email taken meanwhile: 409 EMAIL_ALREADY_EXISTS', async () => {
    const s = await seed();
    const email = newEmail();
    const first = await mailedToken(s, email, 1);
    const second = await mailedToken(s, email, 2);
    expect((await createUser(second, { email, password: PASSWORD })).status).toBe(200);
    expectError(await createUser(first, { email, password: PASSWORD }), 409, 'EMAIL_ALREADY_EXISTS');

    // Also when the address became someone's username.
    const other = newEmail();
    const token = await mailedToken(s, other);
    await s.provisioning.users.createUser({
      email: newEmail(),
      username: other,
      password: PASSWORD,
      tenantId: s.tenant.id,
    });
    expectError(await createUser(token, { email: other, password: PASSWORD }), 409, 'EMAIL_ALREADY_EXISTS');
  });

  it('a client with allowSignUp false: 403 SIGN_UP_DISABLED', async () => {
    const closed = await seed({ allowSignUp: false });
    const email = newEmail();
    expectError(await createToken(closed, email), 403, 'SIGN_UP_DISABLED');

    // A token issued before the client was closed cannot create the user either.
    const s = await seed();
    const token = await mailedToken(s, email);
    await s.provisioning.clients.updateClient(s.client.id, { allowSignUp: false });
    expectError(await createUser(token, { email, password: PASSWORD }), 403, 'SIGN_UP_DISABLED');
    await s.provisioning.clients.updateClient(s.client.id, { allowSignUp: true });
    expect((await createUser(token, { email, password: PASSWORD })).status).toBe(200);
  });

  it('checks the client: unknown, missing or wrong secret: 401 INVALID_CLIENT; a public client needs none', async () => {
    const s = await seed();
    const email = newEmail();
    expectError(await createToken(s, email, { client_id: 'no-such-client' }), 401, 'INVALID_CLIENT');
    expectError(await createToken(s, email, { client_secret: undefined }), 401, 'INVALID_CLIENT');
    expectError(await createToken(s, email, { client_secret: 'z'.repeat(40) }), 401, 'INVALID_CLIENT');
    const pub = await seed({ public: true, signUpUrl: SIGN_UP_URL });
    const token = await mailedToken(pub, email);
    expect((await createUser(token, { email, password: PASSWORD })).status).toBe(200);
    expect(signUpMails(email)).toHaveLength(1);
  });

  it('the user joins the tenant of the client that issued the token', async () => {
    const a = await seed();
    const b = await seed();
    const email = newEmail();
    const token = await mailedToken(b, email);
    const created = await createUser(token, { email, password: PASSWORD });
    const memberships = await sql<{ tenant_id: string }>(
      t,
      `SELECT tenant_id FROM membership WHERE user_id = $1`,
      [created.body.id],
    );
    expect(memberships).toEqual([{ tenant_id: b.tenant.id }]);
    expect(memberships).not.toContainEqual({ tenant_id: a.tenant.id });
  });

  it('an expired token: 401 INVALID_TOKEN', async () => {
    const s = await seed();
    const email = newEmail();
    const token = await mailedToken(s, email);
    await sql(
      t,
      `UPDATE one_time_token SET expires_at = now() - interval '1 second' WHERE purpose = 'sign-up'`,
    );
    expectError(await verifyToken(token), 401, 'INVALID_TOKEN');
    expectError(await createUser(token, { email, password: PASSWORD }), 401, 'INVALID_TOKEN');
  });

  it('no Bearer: 401 UNAUTHORIZED; an access token or garbage instead of a sign-up token: 401 INVALID_TOKEN', async () => {
    const s = await seed();
    expectError(await t.http.get('/auth/sign-up/verify-token'), 401, 'UNAUTHORIZED');
    expectError(
      await t.http.post('/auth/sign-up/create-user').send({ email: s.email, password: PASSWORD }),
      401,
      'UNAUTHORIZED',
    );
    expectError(
      await t.http.get('/auth/sign-up/verify-token').set('Authorization', 'Basic abc'),
      401,
      'UNAUTHORIZED',
    );
    const access = expectTokenResponse(
      await t.http.post('/auth/login-token').send({
        client_id: s.client.clientId,
        client_secret: s.clientSecret,
        username: s.email,
        password: s.password,
      }),
    );
    for (const bad of [access.accessToken, access.refreshToken, 'x'.repeat(43), 'x'.repeat(2000)]) {
      expectError(await verifyToken(bad), 401, 'INVALID_TOKEN');
      expectError(await createUser(bad, { email: s.email, password: PASSWORD }), 401, 'INVALID_TOKEN');
    }
  });

  it('escapes values in the HTML of the mail', async () => {
    const s = await seedTenant(t, { client: { name: '<b>Acme & "Co"</b>', signUpUrl: SIGN_UP_URL } });
    const email = newEmail();
    expect((await createToken(s, email)).status).toBe(204);
    const mail = await nthSignUpMail(email, 1);
    expect(mail.subject).toContain('<b>Acme & "Co"</b>');
    expect(mail.html).toContain('&lt;b&gt;Acme &amp; &quot;Co&quot;&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>Acme');
  });
});

describe('sign-up: malformed input answers the contract 4xx', () => {
  let t: TestApp;
  let s: Seed;
  let token: string;
  const email = `${unique('malformed')}@example.com`;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_ADDRESS: '100000' });
    s = await seedTenant(t);
    const { OneTimeTokensService } = await import('../src/tokens/one-time-tokens.service.js');
    ({ token } = await t.app.get(OneTimeTokensService).issue({
      purpose: 'sign-up',
      ttlSeconds: 1800,
      clientId: s.client.id,
      tenantId: s.tenant.id,
      data: { email, data: {} },
    }));
  });
  afterAll(async () => {
    await t?.close();
  });

  const newAddress = () => `${unique('x')}@example.com`;
  // A confidential client without its secret (none, null or empty) or with a wrong one.
  const noSecret = {
    absent: answer(401, 'INVALID_CLIENT'),
    empty: answer(401, 'INVALID_CLIENT'),
    text: answer(401, 'INVALID_CLIENT'),
  };
  /** Users and unspent sign-up tokens: what no refused request may add. */
  const state = async () =>
    sql(
      t,
      `SELECT (SELECT count(*) FROM app_user) AS users,
              (SELECT count(*) FROM one_time_token WHERE purpose = 'sign-up' AND used_at IS NULL) AS tokens`,
    );
  const routes: MalformedRoute[] = [
    {
      method: 'post',
      path: '/auth/sign-up/create-token',
      valid: () => ({
        email: newAddress(),
        data: { a: 1 },
        client_id: s.client.clientId,
        client_secret: s.clientSecret,
      }),
      validAnswer: answer(204),
      // `data: null` means "no data", like leaving it out.
      optional: ['data', 'client_secret'],
      freeform: ['data'],
      formatted: ['email'],
      fields: { client_id: { text: answer(401, 'INVALID_CLIENT') }, client_secret: noSecret },
      state,
    },
    {
      method: 'post',
      path: '/auth/sign-up/create-user',
      headers: () => ({ Authorization: `Bearer ${token}` }),
      valid: () => ({ email, password: 'short' }),
      validAnswer: answer(400, 'WEAK_PASSWORD'),
      // Another email than the token's: 400 EMAIL_MISMATCH, and the token stays good.
      fields: { email: { text: answer(400, 'EMAIL_MISMATCH') } },
      state,
    },
  ];
  describeMalformed(() => t.http, routes);

  it('create-token: an invalid email or oversized data: 422 naming the field', async () => {
    const base = routes[0]!.valid();
    for (const bad of ['plainaddress', 'a@', '@b.c', 'a b@c.d']) {
      const res = await t.http.post('/auth/sign-up/create-token').send({ ...base, email: bad });
      expectError(res, 422, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'email' })]));
    }
    const res = await t.http
      .post('/auth/sign-up/create-token')
      .send({ ...base, data: { blob: 'x'.repeat(20_000) } });
    expectError(res, 422, 'VALIDATION_FAILED');
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'data' })]);
  });

  it('documents every route of API.md section 3 in OpenAPI', async () => {
    const doc = (await t.http.get('/api-json')).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    const expected: [string, string, string[]][] = [
      ['/auth/forget-password', 'post', ['204', '401', '422', '429']],
      ['/auth/verify-reset-password-link', 'get', ['200', '401', '422', '429']],
      ['/auth/reset-password', 'patch', ['204', '400', '401', '422', '429']],
      ['/auth/sign-up/create-token', 'post', ['204', '401', '403', '422', '429']],
      ['/auth/sign-up/verify-token', 'get', ['200', '401', '429']],
      ['/auth/sign-up/create-user', 'post', ['200', '400', '401', '403', '409', '422', '429']],
    ];
    for (const [path, method, statuses] of expected) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(statuses));
    }
    expect(doc.components.securitySchemes).toHaveProperty('sign-up-token');
    expect(doc.paths['/auth/sign-up/create-user']!.post!.security).toEqual([{ 'sign-up-token': [] }]);
  });

  it('the token used throughout is still good: nothing above spent it', async () => {
    const res = await t.http.get('/auth/sign-up/verify-token').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.email).toBe(email);
  });
});

describe('sign-up: throttling', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      RATE_LIMIT_PER_ADDRESS: '2',
      RATE_LIMIT_PER_ACCOUNT: '1',
      RATE_LIMIT_PER_IP: '100000',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('caps sign-up mails to one address, registered or not: 429 with Retry-After', async () => {
    const s = await seedTenant(t);
    for (const email of [`${unique('n')}@example.com`, s.email]) {
      const body = { email, client_id: s.client.clientId, client_secret: s.clientSecret };
      for (let i = 0; i < 2; i++)
        expect((await t.http.post('/auth/sign-up/create-token').send(body)).status).toBe(204);
      const res = await t.http.post('/auth/sign-up/create-token').send(body);
      expectError(res, 429, 'TOO_MANY_REQUESTS');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('counts bad sign-up tokens per IP', async () => {
    let last = 0;
    for (let i = 0; i < 12 && last !== 429; i++) {
      last = (
        await t.http
          .get('/auth/sign-up/verify-token')
          .set('Authorization', `Bearer bad-${i}-${'x'.repeat(40)}`)
      ).status;
    }
    expect(last).toBe(429);
  });
});

describe('sign-up: per-IP request limit', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_IP: '2', RATE_LIMIT_PER_ADDRESS: '100000' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('every route answers 429 TOO_MANY_REQUESTS past RATE_LIMIT_PER_IP', async () => {
    const requests = [
      () => t.http.post('/auth/sign-up/create-token').send({ email: 'a@example.com', client_id: 'c' }),
      () => t.http.get('/auth/sign-up/verify-token').set('Authorization', `Bearer ${'x'.repeat(43)}`),
      () =>
        t.http
          .post('/auth/sign-up/create-user')
          .set('Authorization', `Bearer ${'x'.repeat(43)}`)
          .send({ email: 'a@example.com', password: PASSWORD }),
    ];
    for (const request of requests) {
      for (let i = 0; i < 2; i++) expect((await request()).status).not.toBe(429);
      expectError(await request(), 429, 'TOO_MANY_REQUESTS');
    }
  });
});
