import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { expectTokenResponse } from './support/assertions.js';
import { until } from './support/wait.js';
import { PgListener } from '../src/database/pg-listener.js';

/**
 * GET /auth/me answers from memory (tokens/account-cache.ts); every change to what it answers is
 * announced by PostgreSQL triggers and drops the kept answer: at once on the instance that made
 * the change, within 1 s on every other one, whoever made it.
 */
describe('GET /auth/me from memory, kept correct by PostgreSQL', () => {
  let t: TestApp;
  /** Another party on the same database: not the service, not its pool. */
  let other: pg.Client;
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

  const signedIn = async (seed: Seed) => {
    const tokens = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
    return { Authorization: `Bearer ${tokens.accessToken}` };
  };
  const me = async (bearer: Record<string, string>) => {
    const res = await t.http.get('/auth/me').set(bearer);
    return { status: res.status, body: res.body as Record<string, unknown> };
  };

  beforeAll(async () => {
    t = await createTestApp();
    other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await t?.close();
  });

  it('serves a kept answer until PostgreSQL announces a change', async () => {
    const seed = await seedTenant(t);
    const bearer = await signedIn(seed);
    expect((await me(bearer)).body.firstName).toBeNull();
    // A change with the triggers off (as a restore or a replica applies it) is not announced...
    await other.query('BEGIN');
    await other.query(`SET LOCAL session_replication_role = replica`);
    await other.query(`UPDATE app_user SET first_name = 'Unannounced' WHERE id = $1`, [seed.user.id]);
    await other.query('COMMIT');
    expect((await me(bearer)).body.firstName).toBeNull();
    // ...until its announcement arrives.
    await other.query(`SELECT pg_notify('auth_accounts', $1)`, [`u:${seed.user.id}`]);
    await until(async () => (await me(bearer)).body.firstName === 'Unannounced', 1000, 20);
  });

  it("shows the caller's own change at once on the instance that made it", async () => {
    const seed = await seedTenant(t);
    const bearer = await signedIn(seed);
    expect((await me(bearer)).body.firstName).toBeNull();
    // The LISTEN connection hears nothing for now (as if its notifications were late): only the
    // connection that wrote can tell the instance before the write's answer goes out.
    const socket = (
      t.app.get(PgListener) as unknown as { client: { connection: { stream: NodeJS.ReadableStream } } }
    ).client.connection.stream;
    socket.pause();
    onTestFinished(() => void socket.resume());
    await t.http.patch(`/admin/users/${seed.user.id}`).set(admin).send({ firstName: 'Ada' }).expect(200);
    expect((await me(bearer)).body.firstName).toBe('Ada');
    await t.http
      .patch(`/admin/roles/${seed.role.id}`)
      .set(admin)
      .send({ permissions: ['ViewProfile', 'ManageAuth'] })
      .expect(200);
    expect((await me(bearer)).body.permissions).toEqual(['ViewProfile', 'ManageAuth']);
    await t.http
      .patch(`/admin/users/${seed.user.id}`)
      .set(admin)
      .send({ tenantId: seed.tenant.id, role: null })
      .expect(200);
    expect((await me(bearer)).body).toMatchObject({ role: null, permissions: [] });
  });

  it('answers 401 at once for a user deleted on the same instance', async () => {
    const seed = await seedTenant(t);
    const bearer = await signedIn(seed);
    expect((await me(bearer)).status).toBe(200);
    // The user's sessions end first (a 401 either way); the row is gone after it.
    await t.http.delete(`/admin/users/${seed.user.id}`).set(admin).expect(204);
    expect((await me(bearer)).status).toBe(401);
  });

  it("shows another party's change within 1 s: a user, a role, a membership", async () => {
    const seed = await seedTenant(t);
    const bearer = await signedIn(seed);
    expect((await me(bearer)).body).toMatchObject({ firstName: null, role: 'member' });
    await other.query(`UPDATE app_user SET first_name = 'Grace' WHERE id = $1`, [seed.user.id]);
    await until(async () => (await me(bearer)).body.firstName === 'Grace', 1000, 20);
    await other.query(`UPDATE role SET name = 'reader' WHERE id = $1`, [seed.role.id]);
    await until(async () => (await me(bearer)).body.role === 'reader', 1000, 20);
    await other.query(`UPDATE membership SET role_id = NULL WHERE user_id = $1`, [seed.user.id]);
    await until(async () => (await me(bearer)).body.role === null, 1000, 20);
  });

  it('keeps nothing while its LISTEN connection is lost, and misses no change made meanwhile', async () => {
    const seed = await seedTenant(t);
    const bearer = await signedIn(seed);
    expect((await me(bearer)).body.lastName).toBeNull();
    // Every connection of the service goes (as when PostgreSQL restarts), the change is made
    // while none of them listens, and the service must still show it within 1 s.
    await other.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'auth-bff'`,
    );
    await other.query(`UPDATE app_user SET last_name = 'Hopper' WHERE id = $1`, [seed.user.id]);
    await until(
      async () => {
        const answer = await me(bearer);
        return answer.status === 200 && answer.body.lastName === 'Hopper';
      },
      1000,
      20,
    );
  });
});
