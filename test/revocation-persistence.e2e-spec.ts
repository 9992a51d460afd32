import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestApp, TEST_ADMIN_KEY } from './support/test-app.js';
import { loginBody, seedTenant } from './support/fixtures.js';
import { expectError, expectTokenResponse } from './support/assertions.js';
import { generateEncryptionKey } from '../src/config/config.js';

/** Revocations must outlive the rows they came from: deletes cascade to sessions. */
describe('revocations survive deleted sessions', () => {
  let t: TestApp;
  const env = { ENCRYPTION_KEY: generateEncryptionKey() };
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp(env);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(['client', 'tenant', 'user'] as const)(
    'deleting a %s revokes its access tokens, also for an instance started afterwards',
    async (what) => {
      const seed = await seedTenant(t);
      const tokens = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
      expect((await t.http.get('/auth/me').set(bearer(tokens.accessToken))).status).toBe(200);
      const path = {
        client: `/admin/clients/${seed.client.id}`,
        tenant: `/admin/tenants/${seed.tenant.id}`,
        user: `/admin/users/${seed.user.id}`,
      }[what];
      expect((await t.http.delete(path).set(admin)).status).toBe(204);
      expectError(await t.http.get('/auth/me').set(bearer(tokens.accessToken)), 401, 'UNAUTHORIZED');

      const later = await createTestApp(env, { databaseUrl: t.databaseUrl });
      try {
        expectError(await later.http.get('/auth/me').set(bearer(tokens.accessToken)), 401, 'UNAUTHORIZED');
      } finally {
        await later.app.close();
      }
    },
  );
});
