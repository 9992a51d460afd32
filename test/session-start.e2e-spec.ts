import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { loginBody, seedTenant } from './support/fixtures.js';
import { expectError, expectTokenResponse } from './support/assertions.js';
import { until } from './support/wait.js';

/**
 * A sign-in without a caller's transaction reads the member's permissions, then writes the
 * session, its first refresh token and the ACCESS row in one statement that holds only while the
 * membership is still active (SessionsService.start).
 */
describe('session start in one statement', () => {
  let t: TestApp;

  const rowsOf = async (userId: string) => {
    const [row] = await sql<{ sessions: number; refresh: number; access: number }>(
      t,
      `SELECT (SELECT count(*)::int FROM session WHERE user_id = $1) AS sessions,
              (SELECT count(*)::int FROM refresh_token r JOIN session s ON s.id = r.session_id
                WHERE s.user_id = $1) AS refresh,
              (SELECT count(*)::int FROM login_activity WHERE actor = $1 AND login_type = 'ACCESS') AS access`,
      [userId],
    );
    return row;
  };

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('writes the session, its refresh token and the ACCESS row together', async () => {
    const seed = await seedTenant(t);
    expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
    expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
    expect(await rowsOf(seed.user.id)).toEqual({ sessions: 2, refresh: 2, access: 2 });
  });

  it('refuses with 403 and writes nothing when the member is locked between the read and the write', async () => {
    const seed = await seedTenant(t);
    const blocker = new pg.Client({ connectionString: t.databaseUrl });
    await blocker.connect();
    try {
      // The lock holds the sign-in's write back after its reads (which still see ACTIVE: the
      // update is not committed); the membership is LOCKED by the time the write runs.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE session IN EXCLUSIVE MODE');
      await blocker.query(`UPDATE membership SET status = 'LOCKED' WHERE user_id = $1`, [seed.user.id]);
      const answer = t.http
        .post('/auth/login-token')
        .send(loginBody(seed))
        .then((r) => r);
      await until(async () => {
        const { rows } = await blocker.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows[0]!.n > 0;
      });
      await blocker.query('COMMIT');
      expectError(await answer, 403, 'LOCKED');
    } finally {
      await blocker.end();
    }
    expect(await rowsOf(seed.user.id)).toEqual({ sessions: 0, refresh: 0, access: 0 });
  });
});
