import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed } from './support/fixtures.js';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';

const KEY = `Bearer ${TEST_ADMIN_KEY}`;

/** DELETE /admin/users/{id}/sessions ("Revoke sessions" in the console). */
describe('DELETE /admin/users/{id}/sessions', () => {
  let t: TestApp;
  let admin: Seed;
  let other: Seed;
  let manageAuth: string;

  const signIn = async (s: Seed, clientId = s.client.clientId, email = s.email) => {
    const res = await t.http.post('/auth/v2/oauth1/tokens').send({ email, password: s.password, clientId });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return `Bearer ${res.body.accessToken as string}`;
  };
  const me = (bearer: string) => t.http.get('/auth/me').set('Authorization', bearer);
  const revoke = (id: string, auth: string | null = KEY) => {
    const req = t.http.delete(`/admin/users/${id}/sessions`);
    return auth ? req.set('Authorization', auth) : req;
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await seedTenant(t, { permissions: ['ManageAuth'] });
    other = await seedTenant(t);
    manageAuth = await signIn(admin);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ends every session of a member of the tenant (204): their access tokens are refused at once', async () => {
    const member = await admin.provisioning.users.createUser({
      email: `m-${Date.now()}@example.com`,
      password: admin.password,
      tenantId: admin.tenant.id,
    });
    const a = await signIn(admin, admin.client.clientId, member.user.email!);
    const b = await signIn(admin, admin.client.clientId, member.user.email!);
    expect((await me(a)).status).toBe(200);
    const res = await revoke(member.user.id, manageAuth);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await me(a), 401, 'UNAUTHORIZED');
    expectError(await me(b), 401, 'UNAUTHORIZED');
    // The admin's own session is untouched, and a user without sessions answers 204 as well.
    expect((await me(manageAuth)).status).toBe(200);
    expect((await revoke(member.user.id, manageAuth)).status).toBe(204);
  });

  it('a ManageAuth token ends only the sessions in its own tenant; the admin key ends them all', async () => {
    // A user who belongs to both tenants, signed in to each.
    const both = await admin.provisioning.users.createUser({
      email: `both-${Date.now()}@example.com`,
      password: admin.password,
      tenantId: admin.tenant.id,
    });
    await admin.provisioning.memberships.addUserToTenant(both.user.id, { tenantId: other.tenant.id });
    const inAdmin = await signIn(admin, admin.client.clientId, both.user.email!);
    const inOther = await signIn(other, other.client.clientId, both.user.email!);
    expect((await revoke(both.user.id, manageAuth)).status).toBe(204);
    expectError(await me(inAdmin), 401, 'UNAUTHORIZED');
    expect((await me(inOther)).status).toBe(200);
    expect((await revoke(both.user.id, KEY)).status).toBe(204);
    expectError(await me(inOther), 401, 'UNAUTHORIZED');
  });

  it('refuses a user of another tenant (403) and leaves their sessions alone', async () => {
    const theirs = await signIn(other);
    expectError(await revoke(other.user.id, manageAuth), 403, 'FORBIDDEN');
    expect((await me(theirs)).status).toBe(200);
  });

  it('404 for an unknown user or an id that is not a UUID; 401 without a Bearer; 403 without ManageAuth', async () => {
    expectError(await revoke('00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
    expectError(await revoke('not-a-uuid'), 404, 'NOT_FOUND');
    expectError(await revoke(admin.user.id, null), 401, 'UNAUTHORIZED');
    expectError(await revoke(admin.user.id, 'Bearer wrong-admin-key-0123456789abcdef'), 401, 'UNAUTHORIZED');
    const plain = await signIn(other);
    expectError(await revoke(other.user.id, plain), 403, 'FORBIDDEN');
  });
});
