import { countFailedTry } from '../database/attempts.queries.js';
import { Queryable } from '../database/db.js';

/** A one-time token's row (its data still sealed). */
export interface OneTimeRow {
  id: string;
  purpose: string;
  user_id: string | null;
  client_id: string | null;
  tenant_id: string | null;
  data_enc: string | null;
  failed_attempts: number;
  created_at: Date;
  expires_at: Date;
}

const COLUMNS = `id, purpose, user_id, client_id, tenant_id, data_enc, failed_attempts, created_at, expires_at`;

export async function insertOneTimeToken(
  q: Queryable,
  t: {
    id: string;
    purpose: string;
    tokenHash: Buffer;
    userId: string | null;
    clientId: string | null;
    tenantId: string | null;
    dataEnc: string | null;
    expiresAt: Date;
  },
): Promise<void> {
  await q.exec(
    `INSERT INTO one_time_token (id, purpose, token_hash, user_id, client_id, tenant_id, data_enc, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [t.id, t.purpose, t.tokenHash, t.userId, t.clientId, t.tenantId, t.dataEnc, t.expiresAt],
  );
}

/** The live (unused, unexpired) token of a purpose by hash. */
export function findLiveOneTimeToken(
  q: Queryable,
  tokenHash: Buffer,
  purpose: string,
): Promise<OneTimeRow | undefined> {
  return q.row<OneTimeRow>(
    `SELECT ${COLUMNS} FROM one_time_token
     WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()`,
    [tokenHash, purpose],
  );
}

/** Spends the live token of a purpose by hash (a conditional UPDATE: once, even concurrently). */
export function spendOneTimeToken(
  q: Queryable,
  tokenHash: Buffer,
  purpose: string,
): Promise<OneTimeRow | undefined> {
  return q.row<OneTimeRow>(
    `UPDATE one_time_token SET used_at = now()
     WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
     RETURNING ${COLUMNS}`,
    [tokenHash, purpose],
  );
}

/** Spends a live token by id; whether it was live. */
export async function spendOneTimeTokenById(q: Queryable, id: string): Promise<boolean> {
  const n = await q.exec(
    `UPDATE one_time_token SET used_at = now() WHERE id = $1 AND used_at IS NULL AND expires_at > now()`,
    [id],
  );
  return n === 1;
}

/** Counts a failed attempt against an unused token, burning it at `maxAttempts`; its failures so far. */
export function countOneTimeFailure(
  q: Queryable,
  id: string,
  maxAttempts: number,
): Promise<number | undefined> {
  return countFailedTry(q, 'one_time_token', id, maxAttempts);
}

/** Spends every unused token of a purpose for a user; how many. */
export function spendOneTimeTokensOfUser(q: Queryable, purpose: string, userId: string): Promise<number> {
  return q.exec(
    `UPDATE one_time_token SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
    [userId, purpose],
  );
}
