import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, freshDatabase, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { expectError, expectTokenResponse } from './support/assertions.js';
import { TcpProxy, viaProxy } from './support/tcp-proxy.js';
import { until } from './support/wait.js';

describe('while the database is unreachable', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let seed: Seed;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    const target = new URL(db.url);
    proxy = new TcpProxy(
      target.hostname === 'localhost' ? '127.0.0.1' : target.hostname,
      Number(target.port || 5432),
    );
    await proxy.start();
    t = await createTestApp({}, { databaseUrl: viaProxy(db.url, proxy) });
    seed = await seedTenant(t);
  });
  afterAll(async () => {
    proxy?.restore();
    await t?.close();
    await proxy?.stop();
    await drop?.();
  });

  it('answers 503 UNAVAILABLE within 5 s, reports not ready, and recovers by itself', async () => {
    const tokens = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
    proxy.cut();

    const started = Date.now();
    const [login, me, ready] = await Promise.all([
      t.http.post('/auth/login-token').send(loginBody(seed)),
      t.http.get('/auth/me').set('Authorization', `Bearer ${tokens.accessToken}`),
      t.http.get('/health/ready'),
    ]);
    expect(Date.now() - started).toBeLessThan(5000);
    expectError(login, 503, 'UNAVAILABLE');
    expectError(me, 503, 'UNAVAILABLE');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', database: 'down' });
    expect((await t.http.get('/health')).status).toBe(200);

    proxy.restore();
    await until(
      async () =>
        (await t.http.get('/auth/me').set('Authorization', `Bearer ${tokens.accessToken}`)).status === 200,
      10_000,
      200,
    );
    expect((await t.http.get('/health/ready')).status).toBe(200);
  });
});
