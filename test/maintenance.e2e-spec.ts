import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { loginBody, seedTenant } from './support/fixtures.js';
import { expectTokenResponse } from './support/assertions.js';
import { TokenMaintenanceService } from '../src/tokens/token-maintenance.service.js';
import { LoginActivityMaintenance } from '../src/login-activity/login-activity-maintenance.service.js';

describe('scheduled maintenance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_ACTIVITY_RETENTION_DAYS: '400' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('purges expired codes, refresh tokens, sessions and revocations, and keeps live ones', async () => {
    const seed = await seedTenant(t);
    const live = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
    const old = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
    await t.http.post('/auth/login').send(loginBody(seed)).expect(200);
    await t.http
      .post('/logout')
      .set('Authorization', `Bearer ${old.accessToken}`)
      .send({ refreshToken: old.refreshToken })
      .expect(200);
    const oldSid = JSON.parse(Buffer.from(old.accessToken.split('.')[1]!, 'base64url').toString()).sid;
    await sql(t, `UPDATE auth_code SET expires_at = now() - interval '2 days'`);
    await sql(
      t,
      `UPDATE session SET revoked_at = now() - interval '2 days', access_expires_at = now() - interval '1 day' WHERE id = $1`,
      [oldSid],
    );
    await sql(t, `UPDATE revoked_access_token SET expires_at = now() - interval '1 minute'`);

    const purged = await t.app.get(TokenMaintenanceService).purgeExpired();
    expect(purged).toMatchObject({ auth_code: 1, session: 1, revoked_access_token: 1 });
    expect(await sql(t, `SELECT id FROM session WHERE id = $1`, [oldSid])).toHaveLength(0);
    expect((await t.http.get('/auth/me').set('Authorization', `Bearer ${live.accessToken}`)).status).toBe(
      200,
    );
    expectTokenResponse(await t.http.post('/auth/token-refresh').send({ refreshToken: live.refreshToken }));
  });

  it('keeps monthly login-activity partitions ahead and drops those past the retention', async () => {
    await sql(t, `SELECT ensure_login_activity_partition('2020-01-15'::date)`);
    await t.app.get(LoginActivityMaintenance).maintain();
    const parts = (
      await sql<{ name: string }>(
        t,
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'login_activity'`,
      )
    ).map((r) => r.name);
    expect(parts).not.toContain('login_activity_2020_01');
    const now = new Date();
    const thisMonth = `login_activity_${now.getUTCFullYear()}_${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    expect(parts).toContain(thisMonth);
    expect(parts.length).toBeGreaterThanOrEqual(4);
  });
});
