import type { Migration, MigrationQueries } from './migration.js';

/**
 * Headless tokens (API.md sections 1 and 9): server-to-server credentials of one tenant. Only the
 * SHA-256 of the token is stored. `client_id` is the auth client the member sessions are issued
 * for; when it is null (none chosen, or that client was deleted) the tenant's internal headless
 * client is used.
 */
export class HeadlessToken1764000008000 implements Migration {
  name = 'HeadlessToken1764000008000';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      CREATE TABLE headless_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        client_id uuid REFERENCES auth_client(id) ON DELETE SET NULL,
        name varchar(200) NOT NULL,
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX headless_token_hash_uq ON headless_token (token_hash)`);
    await q.query(`CREATE INDEX headless_token_tenant_idx ON headless_token (tenant_id, created_at)`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TABLE headless_token`);
  }
}
