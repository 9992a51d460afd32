import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';
import { loginBody, seedTenant } from './support/fixtures.js';
import { expectError } from './support/assertions.js';

const KEY = `Bearer ${TEST_ADMIN_KEY}`;

/**
 * Admin authorization under other configurations. Each case boots its own app, one at a time:
 * passport keeps strategies in a process-wide registry, so two live apps in one file would share
 * the last one's login strategy.
 */
describe('admin routes: missing key and limits', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('accepts no key at all when ADMIN_API_KEY is unset', async () => {
    t = await createTestApp({ ADMIN_API_KEY: undefined });
    expectError(await t.http.get('/admin/tenants').set('Authorization', KEY), 401, 'UNAUTHORIZED');
    expectError(await t.http.get('/admin/tenants').set('Authorization', 'Bearer '), 401, 'UNAUTHORIZED');
    expectError(
      await t.http.get('/admin/tenants').set('Authorization', 'Bearer undefined'),
      401,
      'UNAUTHORIZED',
    );
  });

  it('counts wrong admin keys per IP only: the guessing address is refused, nobody else is locked out', async () => {
    t = await createTestApp({ RATE_LIMIT_PER_ACCOUNT: '3', TRUST_PROXY: 'true' });
    const seed = await seedTenant(t, { permissions: ['ManageAuth'] });
    // The attack of issue 12 (4): wrong keys from a few addresses, ten times the limit each.
    for (const ip of ['10.9.0.1', '10.9.0.2', '10.9.0.3']) {
      for (let i = 0; i < 30; i++) {
        expectError(
          await t.http
            .get('/admin/roles')
            .set('X-Forwarded-For', ip)
            .set('Authorization', `Bearer wrong-${i}`),
          401,
          'UNAUTHORIZED',
        );
      }
      const locked = await t.http.get('/admin/roles').set('X-Forwarded-For', ip).set('Authorization', KEY);
      expectError(locked, 429, 'TOO_MANY_REQUESTS');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    }
    // The right key still works from any other address.
    expect(
      (await t.http.get('/admin/roles').set('X-Forwarded-For', '10.9.1.1').set('Authorization', KEY)).status,
    ).toBe(200);

    // Access tokens cannot be guessed like a key: a ManageAuth member still gets in from a refused address.
    const login = await t.http.post('/auth/login-token').send(loginBody(seed));
    const roles = await t.http
      .get('/admin/roles')
      .set('X-Forwarded-For', '10.9.0.1')
      .set('Authorization', `Bearer ${login.body.accessToken}`);
    expect(roles.status).toBe(200);
  });

  it('throttles each admin route per IP (RATE_LIMIT_PER_IP a minute)', async () => {
    t = await createTestApp({ RATE_LIMIT_PER_IP: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await t.http.get('/admin/tenants').set('Authorization', KEY)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const throttled = await t.http.get('/admin/tenants').set('Authorization', KEY);
    expectError(throttled, 429, 'TOO_MANY_REQUESTS');
  });
});
