import type { Queryable } from '../database/db.js';

/*
 * The SQL of social login: the provider tokens kept for the provider logouts
 * (social_provider_token).
 */

/**
 * The latest tokens a provider gave for one of a user's provider credentials, kept only for the
 * provider logouts (/google/logout, /keycloak/logout). Sealed with ENCRYPTION_KEY (AES-256-GCM).
 */
export interface ProviderTokenRecord {
  /** user_credential.id (one row per credential; removed with it). */
  credentialId: string;
  userId: string;
  provider: string;
  /** SecretBox-sealed JSON of ProviderTokens. */
  tokensEnc: string;
}

/** The columns of social_provider_token, named as ProviderTokenRecord names them. */
const COLUMNS = 'credential_id AS "credentialId", user_id AS "userId", provider, tokens_enc AS "tokensEnc"';

/** The tokens kept for one provider credential. */
export function findProviderToken(
  q: Queryable,
  credentialId: string,
): Promise<ProviderTokenRecord | undefined> {
  return q.row<ProviderTokenRecord>(`SELECT ${COLUMNS} FROM social_provider_token WHERE credential_id = $1`, [
    credentialId,
  ]);
}

/** The tokens kept for a user's credentials of one provider. */
export function listProviderTokens(
  q: Queryable,
  userId: string,
  provider: string,
): Promise<ProviderTokenRecord[]> {
  return q.rows<ProviderTokenRecord>(
    `SELECT ${COLUMNS} FROM social_provider_token WHERE user_id = $1 AND provider = $2`,
    [userId, provider],
  );
}

/** Keeps (or replaces) the tokens of a provider credential. */
export async function saveProviderToken(q: Queryable, record: ProviderTokenRecord): Promise<void> {
  await q.exec(
    `INSERT INTO social_provider_token (credential_id, user_id, provider, tokens_enc) VALUES ($1, $2, $3, $4)
     ON CONFLICT (credential_id) DO UPDATE
       SET user_id = EXCLUDED.user_id, provider = EXCLUDED.provider, tokens_enc = EXCLUDED.tokens_enc,
           updated_at = now()`,
    [record.credentialId, record.userId, record.provider, record.tokensEnc],
  );
}

/** Forgets the tokens of a provider credential. */
export async function deleteProviderToken(q: Queryable, credentialId: string): Promise<void> {
  await q.exec(`DELETE FROM social_provider_token WHERE credential_id = $1`, [credentialId]);
}
