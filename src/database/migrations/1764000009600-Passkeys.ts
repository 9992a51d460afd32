import type { Migration, MigrationQueries } from './migration.js';

/**
 * Passkeys (API.md section 13): one row per WebAuthn credential of a user (its public key is not a
 * secret and is stored as is), and the single-use challenges of the ceremonies in flight, kept here
 * so that any instance finishes what another began. A challenge handed out with a `stateToken` is
 * found by the token's SHA-256; the second-factor challenges of the MFA grant by what they are
 * bound to (`binding`) and the challenge itself.
 */
export class Passkeys1764000009600 implements Migration {
  name = 'Passkeys1764000009600';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      CREATE TABLE passkey_credential (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        credential_id text NOT NULL,
        public_key bytea NOT NULL,
        counter bigint NOT NULL DEFAULT 0,
        transports text[] NOT NULL DEFAULT '{}',
        backup_eligible boolean NOT NULL DEFAULT false,
        backed_up boolean NOT NULL DEFAULT false,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        CONSTRAINT passkey_credential_credential_id_key UNIQUE (credential_id)
      )`);
    await q.query(`CREATE INDEX passkey_credential_user_idx ON passkey_credential (user_id, created_at)`);
    await q.query(`
      CREATE TABLE passkey_challenge (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        purpose text NOT NULL CHECK (purpose IN ('register', 'sign-in', 'second-factor')),
        challenge text NOT NULL,
        state_hash bytea,
        user_id uuid REFERENCES app_user(id) ON DELETE CASCADE,
        binding text NOT NULL,
        name text,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT passkey_challenge_challenge_key UNIQUE (challenge),
        CONSTRAINT passkey_challenge_state_hash_key UNIQUE (state_hash)
      )`);
    await q.query(`CREATE INDEX passkey_challenge_expires_idx ON passkey_challenge (expires_at)`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TABLE passkey_challenge`);
    await q.query(`DROP TABLE passkey_credential`);
  }
}
