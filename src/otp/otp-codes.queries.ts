import { countFailedTry } from '../database/attempts.queries.js';
import { columns } from '../database/columns.js';
import type { Queryable } from '../database/db.js';
import type { LiveOtp, OtpChannel, OtpPurpose } from './otp.types.js';

/** The statements of emailed and texted codes (otp_code) and of pending-login failure counters. */

const LIVE_COLUMNS = columns<LiveOtp>({
  id: 'id',
  userId: 'user_id',
  clientId: 'client_id',
  pendingCodeId: 'pending_code_id',
  channel: 'channel',
  hash: 'code_hash',
});

const SELECT_LIVE = `SELECT ${LIVE_COLUMNS} FROM otp_code WHERE used_at IS NULL AND expires_at > now()`;

/** Ends the user's live codes of a purpose (a new one replaces them). */
export function endLiveCodes(q: Queryable, userId: string, purpose: OtpPurpose): Promise<number> {
  return q.exec(
    `UPDATE otp_code SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
    [userId, purpose],
  );
}

export async function insertOtpCode(
  q: Queryable,
  c: {
    id: string;
    userId: string;
    clientId: string;
    pendingCodeId: string | null;
    purpose: OtpPurpose;
    channel: OtpChannel;
    codeHash: Buffer;
    ttlSeconds: number;
  },
): Promise<void> {
  await q.exec(
    `INSERT INTO otp_code (id, user_id, client_id, pending_code_id, purpose, channel, code_hash, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))`,
    [c.id, c.userId, c.clientId, c.pendingCodeId, c.purpose, c.channel, c.codeHash, c.ttlSeconds],
  );
}

/** The user's newest live code of a purpose. */
export async function latestLiveCode(
  q: Queryable,
  userId: string,
  purpose: OtpPurpose,
): Promise<LiveOtp | undefined> {
  return q.row<LiveOtp>(`${SELECT_LIVE} AND user_id = $1 AND purpose = $2 ORDER BY created_at DESC LIMIT 1`, [
    userId,
    purpose,
  ]);
}

/** A live code of the user by id. */
export async function liveCodeById(q: Queryable, id: string, userId: string): Promise<LiveOtp | undefined> {
  return q.row<LiveOtp>(`${SELECT_LIVE} AND id = $1 AND user_id = $2`, [id, userId]);
}

/** Counts a wrong try of a live code; the `maxFailures`-th burns it. Undefined: no longer live. */
export function countCodeFailure(q: Queryable, id: string, maxFailures: number): Promise<number | undefined> {
  return countFailedTry(q, 'otp_code', id, maxFailures);
}

/** Spends a live code; false when it was spent, burnt or expired meanwhile. */
export async function spendCode(q: Queryable, id: string): Promise<boolean> {
  const done = await q.rows<{ id: string }>(
    `UPDATE otp_code SET used_at = now() WHERE id = $1 AND used_at IS NULL AND expires_at > now() RETURNING id`,
    [id],
  );
  return done.length === 1;
}

/** Deletes codes a day after they expired; answers how many. */
export function purgeExpiredCodes(q: Queryable): Promise<number> {
  return q.exec(`DELETE FROM otp_code WHERE expires_at < now() - interval '1 day'`);
}

/** Counts a wrong second factor against a pending /auth/login code; answers the count so far. */
export async function countPendingLoginFailure(q: Queryable, pendingId: string): Promise<number | undefined> {
  const row = await q.row<{ failed_attempts: number }>(
    `INSERT INTO pending_login_failure (auth_code_id, failed_attempts) VALUES ($1, 1)
     ON CONFLICT (auth_code_id) DO UPDATE SET failed_attempts = pending_login_failure.failed_attempts + 1
     RETURNING failed_attempts`,
    [pendingId],
  );
  return row?.failed_attempts;
}
