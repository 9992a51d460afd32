import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed, unique } from './support/fixtures.js';
import { expectError, expectTokenResponse } from './support/assertions.js';

describe('failed-attempt limits (memory store, one instance)', () => {
  let t: TestApp;
  let seed: Seed;
  const from = (ip: string) => ({ 'X-Forwarded-For': ip });

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_ACCOUNT: '2', RATE_LIMIT_PER_IP: '1000', TRUST_PROXY: 'true' });
    seed = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('successful logins never count', async () => {
    for (let i = 0; i < 5; i++) {
      expectTokenResponse(await t.http.post('/auth/login-token').set(from('10.0.0.9')).send(loginBody(seed)));
    }
  });

  it('blocks an account from one IP after the limit, not from another IP', async () => {
    const s = await seedTenant(t);
    const wrong = loginBody(s, { password: 'wrong-password-attempt' });
    expectError(
      await t.http.post('/auth/login-token').set(from('10.0.0.1')).send(wrong),
      401,
      'INVALID_CREDENTIALS',
    );
    expectError(
      await t.http.post('/auth/login-token').set(from('10.0.0.1')).send(wrong),
      401,
      'INVALID_CREDENTIALS',
    );
    const blocked = await t.http.post('/auth/login-token').set(from('10.0.0.1')).send(loginBody(s));
    expectError(blocked, 429, 'TOO_MANY_REQUESTS');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expectTokenResponse(await t.http.post('/auth/login-token').set(from('10.0.0.2')).send(loginBody(s)));
  });

  it('the hosted login page says how long to wait once the account is blocked (429 page, Retry-After)', async () => {
    const s = await seedTenant(t);
    const page = await t.http.get('/oauth2/authorize').set(from('10.3.0.1')).query({
      response_type: 'code',
      client_id: s.client.clientId,
      redirect_uri: 'https://app.example.com/callback',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'xyz',
    });
    expect(page.status).toBe(200);
    const redirectSession = /name="redirectSession" value="([^"]+)"/.exec(page.text)![1]!;
    const post = (password: string) =>
      t.http
        .post('/oauth2/authorize')
        .set(from('10.3.0.1'))
        .type('form')
        .send({ redirectSession, email: s.email, password });
    expect((await post('wrong-password-attempt')).status).toBe(401);
    expect((await post('wrong-password-attempt')).status).toBe(401);
    const blocked = await post(s.password);
    expect(blocked.status).toBe(429);
    expect(blocked.headers['content-type']).toContain('text/html');
    const wait = Number(blocked.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(blocked.text).toMatch(/Too many attempts\. Try again in \d+ (seconds?|minutes)\./);
  });

  it('blocks an account from all IPs together at ten times the limit', async () => {
    const s = await seedTenant(t);
    const wrong = loginBody(s, { password: 'wrong-password-attempt' });
    for (let i = 0; i < 20; i++) {
      const res = await t.http
        .post('/auth/login')
        .set(from(`10.1.${i}.1`))
        .send(wrong);
      expectError(res, 401, 'INVALID_CREDENTIALS');
    }
    expectError(
      await t.http.post('/auth/login').set(from('10.2.0.1')).send(loginBody(s)),
      429,
      'TOO_MANY_REQUESTS',
    );
  });

  it('counts wrong client secrets per IP only: strangers cannot lock the right secret out', async () => {
    const s = await seedTenant(t);
    const wrong = loginBody(s, { client_secret: 'w'.repeat(43) });
    // The attack of issue 12 (4): many wrong secrets for one client id from a few addresses.
    for (const ip of ['10.3.0.1', '10.3.0.2', '10.3.0.3']) {
      for (let i = 0; i < 20; i++) {
        expectError(await t.http.post('/auth/login-token').set(from(ip)).send(wrong), 401, 'INVALID_CLIENT');
      }
      // Past ten times RATE_LIMIT_PER_ACCOUNT, that address is refused, even with the right secret.
      expectError(
        await t.http.post('/auth/login-token').set(from(ip)).send(loginBody(s)),
        429,
        'TOO_MANY_REQUESTS',
      );
    }
    // Everyone else still logs in with the right secret.
    expectTokenResponse(await t.http.post('/auth/login-token').set(from('10.3.1.1')).send(loginBody(s)));
  });

  it('counts an attempt before checking it: parallel wrong passwords cannot pass the limit', async () => {
    const s = await seedTenant(t);
    const wrong = loginBody(s, { password: 'wrong-password-attempt' });
    // The attack of issue 12 (3): 30 wrong passwords at once against a limit of 2 per IP.
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => t.http.post('/auth/login-token').set(from('10.5.0.1')).send(wrong)),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((st) => st === 401)).toHaveLength(2);
    expect(statuses.filter((st) => st === 429)).toHaveLength(28);
    for (const r of answers.filter((a) => a.status === 429)) expectError(r, 429, 'TOO_MANY_REQUESTS');
  });

  it('counts before checking on /auth/verify-otp too: parallel code guesses cannot pass the limit', async () => {
    const s = await seedTenant(t);
    // The attack of issue 12 (3): 40 code guesses at once for one account, against a limit of 2.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.http
          .post('/auth/verify-otp')
          .set(from('10.5.1.1'))
          .send({ key: i % 2 ? s.email : s.email.toUpperCase(), otp: String(100000 + i) }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((st) => st === 401)).toHaveLength(2);
    expect(statuses.filter((st) => st === 429)).toHaveLength(38);
  });

  it('one budget per account: its username and its email, in any letter case', async () => {
    const email = `${unique('mixed')}@example.com`;
    const s = await seedTenant(t, { user: { email, username: unique('Mixed-Name') } });
    const ip = from('10.6.0.1');
    const wrong = (username: string) => loginBody(s, { username, password: 'wrong-password-attempt' });
    expectError(
      await t.http.post('/auth/login-token').set(ip).send(wrong(s.user.username!.toUpperCase())),
      401,
      'INVALID_CREDENTIALS',
    );
    expectError(
      await t.http.post('/auth/login-token').set(ip).send(wrong(email.toUpperCase())),
      401,
      'INVALID_CREDENTIALS',
    );
    // Two failures under two spellings spent the account's budget from this address.
    const blocked = await t.http
      .post('/auth/login-token')
      .set(ip)
      .send(loginBody(s, { username: s.user.username!.toLowerCase() }));
    expectError(blocked, 429, 'TOO_MANY_REQUESTS');
    expect(blocked.body.message).toMatch(/locked/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // A name that matches no account counts as itself, in any case.
    const ghost = unique('Nobody');
    for (const name of [ghost, ghost.toUpperCase()]) {
      expectError(
        await t.http.post('/auth/login-token').set(ip).send(wrong(name)),
        401,
        'INVALID_CREDENTIALS',
      );
    }
    expectError(
      await t.http.post('/auth/login-token').set(ip).send(wrong(ghost.toLowerCase())),
      429,
      'TOO_MANY_REQUESTS',
    );
  });

  it('counts bad refresh tokens and codes per IP only', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await t.http
        .post('/auth/token-refresh')
        .set(from('10.4.0.1'))
        .send({ refreshToken: `bad-${i}`.padEnd(43, 'x') });
      expectError(res, 401, 'INVALID_REFRESH_TOKEN');
    }
    expectError(
      await t.http
        .post('/auth/token')
        .set(from('10.4.0.1'))
        .send({ code: 'c'.repeat(43), clientId: seed.client.clientId }),
      429,
      'TOO_MANY_REQUESTS',
    );
    const ok = expectTokenResponse(
      await t.http.post('/auth/login-token').set(from('10.4.0.2')).send(loginBody(seed)),
    );
    expectTokenResponse(
      await t.http.post('/auth/token-refresh').set(from('10.4.0.2')).send({ refreshToken: ok.refreshToken }),
    );
  });
});

describe('per-IP request limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_IP: '3' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 TOO_MANY_REQUESTS with Retry-After over RATE_LIMIT_PER_IP a minute', async () => {
    for (let i = 0; i < 3; i++) {
      expectError(
        await t.http.post('/auth/login-token').send({ client_id: 'x', username: 'u', password: 'p' }),
        401,
        'INVALID_CLIENT',
      );
    }
    const res = await t.http.post('/auth/login-token').send({ client_id: 'x', username: 'u', password: 'p' });
    expectError(res, 429, 'TOO_MANY_REQUESTS');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Routes that check no secret are not limited.
    expect((await t.http.get('/health')).status).toBe(200);
  });
});
