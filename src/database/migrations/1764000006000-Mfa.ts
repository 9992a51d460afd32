import type { Migration, MigrationQueries } from './migration.js';

/**
 * The one MFA store (API.md sections 4 and 8) and the emailed/texted one-time codes.
 *
 * - `mfa_method`: a user's second factors. `totp` rows (authenticator apps) hold the base32
 *   secret sealed with ENCRYPTION_KEY and are pending until confirmed. The `recoveryCode` row (at
 *   most one per user) is the set of recovery codes, whose codes live in `mfa_recovery_code` as
 *   salted SHA-256 hashes, each single use.
 * - `mfa_totp_step`: the last TOTP time step accepted for a user. A step is accepted once per
 *   user, on every route and whichever authenticator, including the step that confirmed it; kept
 *   per user so replacing an authenticator does not reset it.
 * - `otp_code`: 6-digit codes sent by email or SMS, stored as SHA-256 (salted with the row id),
 *   bound to the client that asked and, when there is one, to the pending `/auth/login` code
 *   (`purpose` `login`), or to a password-grant MFA challenge (`mfa-grant`); five wrong tries burn
 *   a code.
 * - `pending_login_failure`: wrong second factors counted against a pending `/auth/login` code
 *   (authenticator and recovery codes have no row of their own to count on); five burn the login.
 */
export class Mfa1764000006000 implements Migration {
  name = 'Mfa1764000006000';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      CREATE TABLE mfa_method (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        type varchar(20) NOT NULL CHECK (type IN ('totp', 'recoveryCode')),
        name varchar(100) NOT NULL,
        secret_enc text,
        confirmed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        CHECK (type <> 'totp' OR secret_enc IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX mfa_method_user_idx ON mfa_method (user_id)`);
    await q.query(
      `CREATE UNIQUE INDEX mfa_method_recovery_uq ON mfa_method (user_id) WHERE type = 'recoveryCode'`,
    );

    await q.query(`
      CREATE TABLE mfa_totp_step (
        user_id uuid PRIMARY KEY REFERENCES app_user(id) ON DELETE CASCADE,
        last_used_step bigint NOT NULL
      )`);

    await q.query(`
      CREATE TABLE mfa_recovery_code (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        method_id uuid NOT NULL REFERENCES mfa_method(id) ON DELETE CASCADE,
        code_hash bytea NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX mfa_recovery_code_uq ON mfa_recovery_code (method_id, code_hash)`);

    await q.query(`
      CREATE TABLE otp_code (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        client_id uuid NOT NULL REFERENCES auth_client(id) ON DELETE CASCADE,
        pending_code_id uuid REFERENCES auth_code(id) ON DELETE CASCADE,
        purpose varchar(20) NOT NULL CHECK (purpose IN ('login', 'mfa-grant')),
        channel varchar(10) NOT NULL CHECK (channel IN ('email', 'sms')),
        code_hash bytea NOT NULL,
        failed_attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX otp_code_user_idx ON otp_code (user_id, purpose, created_at) WHERE used_at IS NULL`,
    );
    await q.query(`CREATE INDEX otp_code_expires_idx ON otp_code (expires_at)`);

    await q.query(`
      CREATE TABLE pending_login_failure (
        auth_code_id uuid PRIMARY KEY REFERENCES auth_code(id) ON DELETE CASCADE,
        failed_attempts integer NOT NULL DEFAULT 0
      )`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TABLE pending_login_failure`);
    await q.query(`DROP TABLE otp_code`);
    await q.query(`DROP TABLE mfa_recovery_code`);
    await q.query(`DROP TABLE mfa_totp_step`);
    await q.query(`DROP TABLE mfa_method`);
  }
}
