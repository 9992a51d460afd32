import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createTestApp, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { expectError, expectTokenResponse } from './support/assertions.js';
import { reachableRedisUrl } from './support/redis.js';
import { generateEncryptionKey } from '../src/config/config.js';
import { SigningKeysService } from '../src/tokens/keys/signing-keys.service.js';
import { until } from './support/wait.js';

const redisUrl = await reachableRedisUrl();

describe('two instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  let seed: Seed;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    // A short JWKS max-age: a rotated key signs 2 s after it is published.
    const env = { ENCRYPTION_KEY: generateEncryptionKey(), JWKS_MAX_AGE: '1' };
    a = await createTestApp(env);
    b = await createTestApp(env, { databaseUrl: a.databaseUrl });
    seed = await seedTenant(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('share signing keys: a token issued by one is accepted by the other', async () => {
    const tokens = expectTokenResponse(await a.http.post('/auth/login-token').send(loginBody(seed)));
    expect((await b.http.get('/auth/me').set(bearer(tokens.accessToken))).status).toBe(200);
    expectTokenResponse(await b.http.post('/auth/token-refresh').send({ refreshToken: tokens.refreshToken }));
  });

  it('a logout on one is honoured by the other within 1 s', async () => {
    const tokens = expectTokenResponse(await a.http.post('/auth/login-token').send(loginBody(seed)));
    expect((await b.http.get('/auth/me').set(bearer(tokens.accessToken))).status).toBe(200);
    await a.http
      .post('/logout')
      .set(bearer(tokens.accessToken))
      .send({ refreshToken: tokens.refreshToken })
      .expect(200);
    await until(
      async () => (await b.http.get('/auth/me').set(bearer(tokens.accessToken))).status === 401,
      1000,
      20,
    );
  });

  it('a session revoked by refresh-token reuse on one is refused by the other within 1 s', async () => {
    const first = expectTokenResponse(await a.http.post('/auth/login-token').send(loginBody(seed)));
    const second = expectTokenResponse(
      await a.http.post('/auth/token-refresh').send({ refreshToken: first.refreshToken }),
    );
    expectError(
      await b.http.post('/auth/token-refresh').send({ refreshToken: first.refreshToken }),
      401,
      'REFRESH_TOKEN_REUSED',
    );
    await until(
      async () => (await a.http.get('/auth/me').set(bearer(second.accessToken))).status === 401,
      1000,
      20,
    );
  });

  it('a key rotated on one is used for verification by the other, and old tokens keep verifying', async () => {
    const before = expectTokenResponse(await a.http.post('/auth/login-token').send(loginBody(seed)));
    const { kid, signsFrom } = await a.app.get(SigningKeysService).rotate();
    // Published on the other instance before anything is signed with it.
    await until(
      async () =>
        ((await b.http.get('/.well-known/jwks.json')).body.keys as { kid: string }[]).some(
          (k) => k.kid === kid,
        ),
      1000,
      20,
    );
    await new Promise((r) => setTimeout(r, Math.max(0, signsFrom.getTime() - Date.now()) + 50));
    const after = expectTokenResponse(await a.http.post('/auth/login-token').send(loginBody(seed)));
    const header = JSON.parse(Buffer.from(after.accessToken.split('.')[0]!, 'base64url').toString());
    expect(header.kid).toBe(kid);
    expect((await b.http.get('/auth/me').set(bearer(after.accessToken))).status).toBe(200);
    expect((await b.http.get('/auth/me').set(bearer(before.accessToken))).status).toBe(200);
    const jwks = (await b.http.get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
    expect(jwks).toContain(kid);
    expect(jwks.length).toBeGreaterThanOrEqual(2);
    // b signs with the new key once the notification reached it.
    await until(
      async () => {
        const t = (await b.http.post('/auth/login-token').send(loginBody(seed))).body.accessToken as string;
        return JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()).kid === kid;
      },
      1000,
      20,
    );
  });
});

describe.runIf(redisUrl)('rate limits shared through Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let seed: Seed;

  beforeAll(async () => {
    const env = {
      ENCRYPTION_KEY: generateEncryptionKey(),
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
      RATE_LIMIT_PER_IP: '6',
      RATE_LIMIT_PER_ACCOUNT: '3',
    };
    a = await createTestApp(env);
    b = await createTestApp(env, { databaseUrl: a.databaseUrl });
    seed = await seedTenant(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('counts per-IP requests across instances and answers 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await a.http.post('/auth/token').send({ code: 'c'.repeat(43), clientId: 'x' })).status);
      statuses.push((await b.http.post('/auth/token').send({ code: 'c'.repeat(43), clientId: 'x' })).status);
    }
    expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    const res = await a.http.post('/auth/token').send({ code: 'c'.repeat(43), clientId: 'x' });
    expectError(res, 429, 'TOO_MANY_REQUESTS');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect((await a.http.get('/health/ready')).body.redis).toBe('ok');
  });

  it('counts failed passwords for one account across instances', async () => {
    const wrong = loginBody(seed, { password: 'definitely-wrong-password' });
    expectError(await a.http.post('/auth/login').send(wrong), 401, 'INVALID_CREDENTIALS');
    expectError(await b.http.post('/auth/login').send(wrong), 401, 'INVALID_CREDENTIALS');
    expectError(await a.http.post('/auth/login').send(wrong), 401, 'INVALID_CREDENTIALS');
    const blocked = await b.http.post('/auth/login').send(loginBody(seed));
    expectError(blocked, 429, 'TOO_MANY_REQUESTS');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });
});
