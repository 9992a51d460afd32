import type { Migration, MigrationQueries } from './migration.js';

/**
 * Failed sign-ins per tenant, counted per UTC hour and method (the console's dashboard,
 * `GET /login-activity/failures`). Deliberately apart from login_activity (whose rows are the
 * sessions of API.md section 6) and deliberately small: one counter row per tenant, hour and
 * method, bumped by one atomic upsert, so a password-guessing burst adds no rows, only counts.
 */
export class LoginFailure1764000009410 implements Migration {
  name = 'LoginFailure1764000009410';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      CREATE TABLE login_failure (
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        hour timestamptz NOT NULL,
        auth_method varchar(30) NOT NULL,
        failures integer NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, hour, auth_method)
      )`);
    await q.query(`CREATE INDEX login_failure_hour_idx ON login_failure (hour)`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TABLE login_failure`);
  }
}
