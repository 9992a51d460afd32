import { prepared, Queryable } from '../../database/db.js';
import { LOCAL_PROVIDER } from '../identity.types.js';

/** A credential row as the checks need it. */
export interface CredentialRef {
  id: string;
  userId: string;
  passwordHash: string | null;
}

interface CredentialRow {
  id: string;
  user_id: string;
  password_hash: string | null;
}

const toRef = (row: CredentialRow): CredentialRef => ({
  id: row.id,
  userId: row.user_id,
  passwordHash: row.password_hash,
});

const local = prepared(
  'identity.local-credential',
  `SELECT id, user_id, password_hash FROM user_credential WHERE user_id = $1 AND provider = '${LOCAL_PROVIDER}'`,
);

/** The user's local (password) credential (every password login). */
export async function localCredential(q: Queryable, userId: string): Promise<CredentialRef | undefined> {
  const row = await q.row<CredentialRow>(local, [userId]);
  return row && toRef(row);
}

/** Replaces a password hash, unless it changed meanwhile (a concurrent upgrade or reset wins). */
export async function replacePasswordHash(
  q: Queryable,
  credentialId: string,
  previous: string,
  next: string,
): Promise<void> {
  await q.exec(
    `UPDATE user_credential SET password_hash = $3, updated_at = now() WHERE id = $1 AND password_hash = $2`,
    [credentialId, previous, next],
  );
}

/** Stores the user's local password hash (creating the local credential when there is none). */
export async function upsertPasswordHash(q: Queryable, userId: string, passwordHash: string): Promise<void> {
  await q.exec(
    `INSERT INTO user_credential (user_id, provider, external_id, password_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (provider, external_id)
     DO UPDATE SET user_id = EXCLUDED.user_id, password_hash = EXCLUDED.password_hash, updated_at = now()`,
    [userId, LOCAL_PROVIDER, userId, passwordHash],
  );
}

/** The credential a provider's external id names. */
export async function credentialOf(
  q: Queryable,
  provider: string,
  externalId: string,
): Promise<CredentialRef | undefined> {
  const row = await q.row<CredentialRow>(
    `SELECT id, user_id, password_hash FROM user_credential WHERE provider = $1 AND external_id = $2`,
    [provider, externalId],
  );
  return row && toRef(row);
}

/** Adds a provider credential (no password) to a user; answers its id. */
export async function insertCredential(
  q: Queryable,
  userId: string,
  provider: string,
  externalId: string,
): Promise<string> {
  const row = await q.row<{ id: string }>(
    `INSERT INTO user_credential (user_id, provider, external_id) VALUES ($1, $2, $3) RETURNING id`,
    [userId, provider, externalId],
  );
  return row!.id;
}
