import type { Migration, MigrationQueries } from './migration.js';

/**
 * Provider tokens kept for the provider logouts of API.md section 5 (one row per provider
 * credential, sealed with ENCRYPTION_KEY). Provider login state, SAML request IDs and seen
 * assertion IDs live in one_time_token.
 */
export class SocialProviderToken1764000007000 implements Migration {
  name = 'SocialProviderToken1764000007000';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      CREATE TABLE social_provider_token (
        credential_id uuid PRIMARY KEY REFERENCES user_credential(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        provider varchar(40) NOT NULL,
        tokens_enc text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX social_provider_token_user_idx ON social_provider_token (user_id, provider)`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TABLE social_provider_token`);
  }
}
