import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';
import { loginBody, seedTenant, Seed, STRONG_PASSWORD, unique } from './support/fixtures.js';
import { createTestApp, sql, TestApp, TEST_ADMIN_KEY } from './support/test-app.js';
import { until } from './support/wait.js';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const adminKey = bearer(TEST_ADMIN_KEY);

/**
 * API.md section 12, "Demotion": a changed role, changed role permissions or a lock take effect
 * on this service's own permission checks (admin routes, login activity) within 1 s, also for
 * access tokens already issued. The attack: a demoted admin keeps using the token they hold,
 * whose `permissions` claim still says ManageAuth until it expires.
 */
describe('trust boundaries: demotion', () => {
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
});
