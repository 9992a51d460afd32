import type { Migration, MigrationQueries } from './migration.js';

/**
 * Revoked sessions kept apart from the session table, so a revocation outlives the session row
 * (deleting a user, client or tenant cascades to its sessions, but their access tokens must still
 * be refused by instances that start afterwards, until they expire).
 */
export class RevokedSession1764000001000 implements Migration {
  name = 'RevokedSession1764000001000';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      CREATE TABLE revoked_session (
        sid uuid PRIMARY KEY,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX revoked_session_exp_idx ON revoked_session (expires_at)`);
    await q.query(`
      INSERT INTO revoked_session (sid, expires_at)
      SELECT id, access_expires_at FROM session WHERE revoked_at IS NOT NULL AND access_expires_at > now()`);
    await q.query(`DROP INDEX IF EXISTS session_revoked_idx`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(
      `CREATE INDEX session_revoked_idx ON session (access_expires_at) WHERE revoked_at IS NOT NULL`,
    );
    await q.query(`DROP TABLE revoked_session`);
  }
}
