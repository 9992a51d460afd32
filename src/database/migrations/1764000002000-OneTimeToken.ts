import type { Migration, MigrationQueries } from './migration.js';

/**
 * Single-use, short-lived tokens of every kind (reset and sign-up links, provider login state,
 * session and state tokens, SSO tokens, MFA challenges): only the SHA-256 of the token is
 * stored; what it carries is sealed with ENCRYPTION_KEY.
 */
export class OneTimeToken1764000002000 implements Migration {
  name = 'OneTimeToken1764000002000';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      CREATE TABLE one_time_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        purpose varchar(40) NOT NULL,
        token_hash bytea NOT NULL,
        user_id uuid REFERENCES app_user(id) ON DELETE CASCADE,
        client_id uuid REFERENCES auth_client(id) ON DELETE CASCADE,
        tenant_id uuid REFERENCES tenant(id) ON DELETE CASCADE,
        data_enc text,
        failed_attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX one_time_token_hash_uq ON one_time_token (token_hash)`);
    await q.query(
      `CREATE INDEX one_time_token_user_idx ON one_time_token (user_id, purpose) WHERE used_at IS NULL`,
    );
    await q.query(`CREATE INDEX one_time_token_expires_idx ON one_time_token (expires_at)`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TABLE one_time_token`);
  }
}
