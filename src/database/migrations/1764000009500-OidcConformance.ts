import type { Migration, MigrationQueries } from './migration.js';

/**
 * OpenID Connect conformance (API.md section 7):
 * - `hosted_session`: the signed-in browser at the authorization server (the hosted-session
 *   cookie holds a random token; only its SHA-256 is stored), bound to one user and one tenant,
 *   with the time and method of the real sign-in and whether a second factor was proven in it.
 * - `signing_key.purpose`: `access` (access tokens, `JWT_ALGORITHM`), `id_token` (ID tokens, one
 *   key per algorithm a client may choose), `legacy` (keys from before this migration: they
 *   signed both, with `typ: JWT`). `activates_at`: a key is published at creation and signs only
 *   from then on, so relying parties that cached the JWKS know it before they see it.
 * - `auth_client.id_token_signed_response_alg`: RS256 unless the client chooses ES256 or EdDSA.
 * - `auth_code.auth_time`: when the user really signed in (the ID token's `auth_time`).
 * - `session.scope`: the scopes granted at /oauth2/authorize (carried by its access tokens; a
 *   refresh may only narrow them).
 */
export class OidcConformance1764000009500 implements Migration {
  name = 'OidcConformance1764000009500';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      CREATE TABLE hosted_session (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash bytea NOT NULL,
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        auth_method varchar(30) NOT NULL,
        auth_time timestamptz NOT NULL,
        mfa_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX hosted_session_hash_uq ON hosted_session (token_hash)`);
    await q.query(`CREATE INDEX hosted_session_user_idx ON hosted_session (user_id)`);
    await q.query(`CREATE INDEX hosted_session_expires_idx ON hosted_session (expires_at)`);

    await q.query(`
      ALTER TABLE signing_key ADD COLUMN purpose varchar(10) NOT NULL DEFAULT 'legacy'
        CHECK (purpose IN ('access', 'id_token', 'legacy'))`);
    await q.query(`ALTER TABLE signing_key ALTER COLUMN purpose DROP DEFAULT`);
    await q.query(`ALTER TABLE signing_key ADD COLUMN activates_at timestamptz`);
    await q.query(`UPDATE signing_key SET activates_at = created_at`);
    await q.query(`ALTER TABLE signing_key ALTER COLUMN activates_at SET NOT NULL`);
    await q.query(`ALTER TABLE signing_key ALTER COLUMN activates_at SET DEFAULT now()`);

    await q.query(`
      ALTER TABLE auth_client ADD COLUMN id_token_signed_response_alg varchar(10) NOT NULL DEFAULT 'RS256'
        CHECK (id_token_signed_response_alg IN ('RS256', 'ES256', 'EdDSA'))`);
    await q.query(`ALTER TABLE auth_code ADD COLUMN auth_time timestamptz`);
    await q.query(`ALTER TABLE session ADD COLUMN scope varchar(256)`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`ALTER TABLE session DROP COLUMN scope`);
    await q.query(`ALTER TABLE auth_code DROP COLUMN auth_time`);
    await q.query(`ALTER TABLE auth_client DROP COLUMN id_token_signed_response_alg`);
    await q.query(`DELETE FROM signing_key WHERE purpose = 'id_token'`);
    await q.query(`ALTER TABLE signing_key DROP COLUMN activates_at`);
    await q.query(`ALTER TABLE signing_key DROP COLUMN purpose`);
    await q.query(`DROP TABLE hosted_session`);
  }
}
