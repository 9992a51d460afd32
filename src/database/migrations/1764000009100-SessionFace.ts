import type { Migration, MigrationQueries } from './migration.js';

/**
 * Trust boundaries of the token engine (API.md section 12):
 * - `session.face`: the route family that issued the session. `auth` (sections 2-8, the user's
 *   own sign-in), `oauth2` (`/oauth2/token`: a confidential client's session is refreshed only
 *   there, with the client's authentication), `headless` (section 9: a server minted it; it never
 *   moves to another tenant).
 * - `auth_code.face`: where a code may be exchanged (`auth`: `/auth/token`; `oauth2`: codes of
 *   `/oauth2/authorize`, only at `/oauth2/token`).
 * - `auth_code.session_id`: the session an exchanged code started, ended when the code is
 *   presented again (RFC 6749 section 4.1.2). No foreign key: the code row outlives nothing it
 *   points at, and a deleted session simply matches nothing.
 */
export class SessionFace1764000009100 implements Migration {
  name = 'SessionFace1764000009100';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      ALTER TABLE session ADD COLUMN face varchar(10) NOT NULL DEFAULT 'auth'
        CHECK (face IN ('auth', 'oauth2', 'headless'))`);
    await q.query(`UPDATE session SET face = 'headless' WHERE auth_method = 'HEADLESS'`);
    await q.query(`
      ALTER TABLE auth_code ADD COLUMN face varchar(10) NOT NULL DEFAULT 'auth'
        CHECK (face IN ('auth', 'oauth2'))`);
    await q.query(`ALTER TABLE auth_code ADD COLUMN session_id uuid`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`ALTER TABLE auth_code DROP COLUMN session_id`);
    await q.query(`ALTER TABLE auth_code DROP COLUMN face`);
    await q.query(`ALTER TABLE session DROP COLUMN face`);
  }
}
