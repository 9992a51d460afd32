import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';
import { loginBody, seedTenant, Seed, STRONG_PASSWORD, unique } from './support/fixtures.js';
import { createTestApp, sql, TestApp, TEST_ADMIN_KEY } from './support/test-app.js';
import { until } from './support/wait.js';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const adminKey = bearer(TEST_ADMIN_KEY);

/**
 * API.md section 12 rules of the admin routes. "Demotion": a changed role, changed role permissions or a lock take effect
 * on this service's own permission checks (admin routes, login activity) within 1 s, also for
 * access tokens already issued. The attack: a demoted admin keeps using the token they hold,
 * whose `permissions` claim still says ManageAuth until it expires.
 */
describe('trust boundaries: admin routes', () => {
  let t: TestApp;
  let seed: Seed;

  /** A new member of the seeded tenant with a role of its own (so its permissions can change alone). */
  async function memberWith(permissions: string[]) {
    const roleName = unique('role');
    const role = await t.http
      .post('/admin/roles')
      .set(adminKey)
      .send({ tenantId: seed.tenant.id, name: roleName, permissions });
    expect(role.status).toBe(201);
    const email = `${unique('admin')}@example.com`;
    const user = await t.http
      .post('/admin/users')
      .set(adminKey)
      .send({ email, password: STRONG_PASSWORD, tenantId: seed.tenant.id, role: roleName });
    expect(user.status).toBe(201);
    const tokens = expectTokenResponse(
      await t.http.post('/auth/login-token').send(loginBody(seed, { username: email })),
    );
    expect(decodeClaims(tokens.accessToken).permissions).toEqual(permissions);
    return { roleId: role.body.id as string, userId: user.body.id as string, token: tokens.accessToken };
  }

  /** Polls until `path` with `token` answers `status` (the 1 s deadline of the contract). */
  const refusedWithin1s = (path: string, token: string, status = 403) =>
    until(async () => (await t.http.get(path).set(bearer(token))).status === status, 1000, 20);

  const usersPath = () => `/admin/users?tenantId=${seed.tenant.id}`;

  beforeAll(async () => {
    t = await createTestApp();
    seed = await seedTenant(t);
    await t.http
      .post('/admin/roles')
      .set(adminKey)
      .send({ tenantId: seed.tenant.id, name: 'viewer', permissions: [] })
      .expect(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a member moved to a role without ManageAuth loses the admin routes at once, with the token they hold', async () => {
    const admin = await memberWith(['ManageAuth']);
    expect((await t.http.get(usersPath()).set(bearer(admin.token))).status).toBe(200);
    const demoted = await t.http
      .patch(`/admin/users/${admin.userId}`)
      .set(adminKey)
      .send({ role: 'viewer', tenantId: seed.tenant.id });
    expect(demoted.status).toBe(200);
    await refusedWithin1s(usersPath(), admin.token);
    expectError(await t.http.get(usersPath()).set(bearer(admin.token)), 403, 'FORBIDDEN');
    expectError(
      await t.http
        .post('/admin/headless-tokens')
        .set(bearer(admin.token))
        .send({ tenantId: seed.tenant.id, name: 'x' }),
      403,
      'FORBIDDEN',
    );
    // The token itself is still valid (only the permission is gone).
    expect((await t.http.get('/auth/me').set(bearer(admin.token))).status).toBe(200);
  });

  it("ManageAuth removed from the member's role: the same, for every holder of that role", async () => {
    const admin = await memberWith(['ManageAuth']);
    expect((await t.http.get(usersPath()).set(bearer(admin.token))).status).toBe(200);
    const patched = await t.http
      .patch(`/admin/roles/${admin.roleId}`)
      .set(adminKey)
      .send({ permissions: ['Other'] });
    expect(patched.status).toBe(200);
    await refusedWithin1s(usersPath(), admin.token);
    // And promotion works the same way: the role gets it back, the same token works again.
    await t.http
      .patch(`/admin/roles/${admin.roleId}`)
      .set(adminKey)
      .send({ permissions: ['ManageAuth'] })
      .expect(200);
    await refusedWithin1s(usersPath(), admin.token, 200);
  });

  it('a membership that is no longer ACTIVE holds no permission, whatever its role', async () => {
    const admin = await memberWith(['ManageAuth']);
    expect((await t.http.get(usersPath()).set(bearer(admin.token))).status).toBe(200);
    // Any path that changes the status (here the row itself) is enough for the guard.
    await sql(t, `UPDATE membership SET status = 'PENDING_APPROVAL' WHERE user_id = $1`, [admin.userId]);
    await refusedWithin1s(usersPath(), admin.token);
    // The admin lock route also ends the member's sessions: the token stops altogether.
    const other = await memberWith(['ManageAuth']);
    await t.http
      .patch(`/admin/users/${other.userId}`)
      .set(adminKey)
      .send({ status: 'LOCKED', tenantId: seed.tenant.id })
      .expect(200);
    await refusedWithin1s(usersPath(), other.token, 401);
  });

  it('login activity and active users: ViewLoginActivity taken away stops the reports at once', async () => {
    const viewer = await memberWith(['ViewLoginActivity']);
    for (const path of ['/login-activity', '/login-activity/count', '/active-users/daily']) {
      expect((await t.http.get(path).set(bearer(viewer.token))).status, path).toBe(200);
    }
    await t.http.patch(`/admin/users/${viewer.userId}`).set(adminKey).send({ role: 'viewer' }).expect(200);
    for (const path of ['/login-activity', '/login-activity/count', '/active-users/daily']) {
      await refusedWithin1s(path, viewer.token);
      expectError(await t.http.get(path).set(bearer(viewer.token)), 403, 'FORBIDDEN');
    }
  });

  it("reserved client ids: another tenant's admin cannot take the headless:<tenantId> client id", async () => {
    const expectReserved = (res: Response) => {
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([{ field: 'clientId', message: expect.stringContaining('reserved') }]);
    };
    const create = (clientId: string, auth: Record<string, string>) =>
      t.http
        .post('/admin/clients')
        .set(auth)
        .send({
          clientId,
          name: 'App',
          tenantId: seed.tenant.id,
          redirectUrls: ['https://app.example.com/cb'],
        });
    // The attack: this tenant's ManageAuth admin claims the victim tenant's internal client id first.
    const admin = bearer((await memberWith(['ManageAuth'])).token);
    const victim = await seedTenant(t);
    const victimId = `headless:${victim.tenant.id}`;
    expectReserved(await create(victimId, admin));
    for (const clientId of [victimId, `HEADLESS:${victim.tenant.id}`, 'console:admin', 'Console:x']) {
      expectReserved(await create(clientId, adminKey));
    }
    const mine = await create(unique('app'), admin);
    expect(mine.status).toBe(201);
    expectReserved(
      await t.http.patch(`/admin/clients/${mine.body.id}`).set(admin).send({ clientId: victimId }),
    );
    expect(await sql(t, `SELECT id FROM auth_client WHERE lower(client_id) LIKE 'headless:%'`)).toEqual([]);

    // The victim's headless tokens still get their own internal client.
    const token = await t.http
      .post('/admin/headless-tokens')
      .set(adminKey)
      .send({ tenantId: victim.tenant.id, name: 'backend' });
    expect(token.status).toBe(201);
    const minted = await t.http
      .post('/api/v1/headless/auth_token')
      .set(bearer(token.body.token))
      .send({ email: victim.email });
    expect(minted.status).toBe(200);
    const [internal] = await sql<{ tenant_id: string }>(
      t,
      'SELECT tenant_id FROM auth_client WHERE client_id = $1',
      [victimId],
    );
    expect(internal!.tenant_id).toBe(victim.tenant.id);
    // An update that keeps the internal client's own id is no rename.
    const kept = await t.http
      .patch(`/admin/clients/${encodeURIComponent(victimId)}`)
      .set(adminKey)
      .send({ clientId: victimId, name: 'Headless (internal)' });
    expect(kept.status).toBe(200);
  });
});
