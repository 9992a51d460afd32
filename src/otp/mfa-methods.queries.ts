import { columns, ColumnsOf } from '../database/columns.js';
import type { Queryable } from '../database/db.js';
import type { MfaMethodRecord, StoredMfaMethod } from './otp.types.js';

/** The statements of the MFA store: mfa_method, mfa_recovery_code and mfa_totp_step. */

/** The method's columns as a `StoredMfaMethod`. */
const METHOD: ColumnsOf<StoredMfaMethod> = {
  id: 'id',
  userId: 'user_id',
  type: 'type',
  name: 'name',
  secretEnc: 'secret_enc',
  confirmedAt: 'confirmed_at',
  createdAt: 'created_at',
  lastUsedAt: 'last_used_at',
};

const METHOD_COLUMNS = columns(METHOD);

/** The method as its owner sees it: no secret; `remainingCodes` counted for recovery codes. */
function toRecord(row: StoredMfaMethod & { remainingCodes?: number | null }): MfaMethodRecord {
  const { secretEnc: _secret, confirmedAt, remainingCodes: codes, ...method } = row;
  const remainingCodes = row.type === 'recoveryCode' ? Number(codes ?? 0) : null;
  return { ...method, confirmed: confirmedAt !== null, remainingCodes };
}

/** The user's own methods (pending ones too unless `confirmedOnly`): authenticators first, oldest first. */
export async function methodsOf(
  q: Queryable,
  userId: string,
  confirmedOnly: boolean,
): Promise<MfaMethodRecord[]> {
  const found = await q.rows<StoredMfaMethod & { remainingCodes: number }>(
    `SELECT ${columns(METHOD, 'm')},
            (SELECT count(*)::int FROM mfa_recovery_code c WHERE c.method_id = m.id AND c.used_at IS NULL)
              AS "remainingCodes"
     FROM mfa_method m WHERE m.user_id = $1 AND ($2 = false OR m.confirmed_at IS NOT NULL)
     ORDER BY m.type = 'recoveryCode', m.created_at`,
    [userId, confirmedOnly],
  );
  return found.map(toRecord);
}

/** The user's authenticators, pending ones included, newest first. */
export async function totpMethodsOf(q: Queryable, userId: string): Promise<StoredMfaMethod[]> {
  return q.rows<StoredMfaMethod>(
    `SELECT ${METHOD_COLUMNS} FROM mfa_method WHERE user_id = $1 AND type = 'totp' ORDER BY created_at DESC`,
    [userId],
  );
}

/** Whether the user has a confirmed authenticator. */
export async function hasConfirmedTotpMethod(q: Queryable, userId: string): Promise<boolean> {
  const found = await q.rows<{ id: string }>(
    `SELECT id FROM mfa_method WHERE user_id = $1 AND type = 'totp' AND confirmed_at IS NOT NULL`,
    [userId],
  );
  return found.length > 0;
}

/** One method of the user (pending or confirmed), or undefined. */
export async function methodOf(
  q: Queryable,
  userId: string,
  methodId: string,
): Promise<StoredMfaMethod | undefined> {
  return q.row<StoredMfaMethod>(`SELECT ${METHOD_COLUMNS} FROM mfa_method WHERE id = $1 AND user_id = $2`, [
    methodId,
    userId,
  ]);
}

export function deletePendingTotp(q: Queryable, userId: string): Promise<number> {
  return q.exec(`DELETE FROM mfa_method WHERE user_id = $1 AND type = 'totp' AND confirmed_at IS NULL`, [
    userId,
  ]);
}

/** A pending authenticator; its secret comes sealed (at its row: `mfa_method.secret_enc` of `id`). */
export async function insertTotpMethod(
  q: Queryable,
  m: { id: string; userId: string; name: string; secretEnc: string },
): Promise<void> {
  await q.exec(
    `INSERT INTO mfa_method (id, user_id, type, name, secret_enc) VALUES ($1, $2, 'totp', $3, $4)`,
    [m.id, m.userId, m.name, m.secretEnc],
  );
}

/** Confirms a method; answers it. */
export async function confirmMethod(q: Queryable, id: string): Promise<MfaMethodRecord> {
  const row = await q.row<StoredMfaMethod>(
    `UPDATE mfa_method SET confirmed_at = now() WHERE id = $1 RETURNING ${METHOD_COLUMNS}`,
    [id],
  );
  return toRecord(row!);
}

export async function touchMethod(q: Queryable, id: string): Promise<void> {
  await q.exec(`UPDATE mfa_method SET last_used_at = now() WHERE id = $1`, [id]);
}

export function deleteMethod(q: Queryable, id: string): Promise<number> {
  return q.exec(`DELETE FROM mfa_method WHERE id = $1`, [id]);
}

/** Deletes a confirmed authenticator and, with it, the user's recovery codes (their fallback). */
export function deleteTotpWithRecoveryCodes(q: Queryable, userId: string, methodId: string): Promise<number> {
  return q.exec(`DELETE FROM mfa_method WHERE user_id = $1 AND (id = $2 OR type = 'recoveryCode')`, [
    userId,
    methodId,
  ]);
}

/** Every method of the user (an admin's MFA reset). */
export function deleteAllMethods(q: Queryable, userId: string): Promise<number> {
  return q.exec(`DELETE FROM mfa_method WHERE user_id = $1`, [userId]);
}

/** The last TOTP step accepted for the user, if any. */
export async function lastTotpStep(q: Queryable, userId: string): Promise<number | null> {
  const row = await q.row<{ last_used_step: string }>(
    `SELECT last_used_step FROM mfa_totp_step WHERE user_id = $1`,
    [userId],
  );
  return row ? Number(row.last_used_step) : null;
}

/**
 * Records `step` as the user's last accepted TOTP step, by a conditional upsert: false when a step
 * at or after it was accepted already (a replay, or a race lost).
 */
export async function recordTotpStep(q: Queryable, userId: string, step: number): Promise<boolean> {
  const recorded = await q.rows<{ user_id: string }>(
    `INSERT INTO mfa_totp_step (user_id, last_used_step) VALUES ($1, $2)
     ON CONFLICT (user_id) DO UPDATE SET last_used_step = EXCLUDED.last_used_step
       WHERE mfa_totp_step.last_used_step < EXCLUDED.last_used_step
     RETURNING user_id`,
    [userId, step],
  );
  return recorded.length === 1;
}

/** The user's confirmed recovery-code set (the one named, when `methodId` is given), or undefined. */
export async function recoveryCodeSetOf(
  q: Queryable,
  userId: string,
  methodId: string | null,
): Promise<string | undefined> {
  const row = await q.row<{ id: string }>(
    `SELECT id FROM mfa_method WHERE user_id = $1 AND type = 'recoveryCode' AND confirmed_at IS NOT NULL
       AND ($2::uuid IS NULL OR id = $2::uuid)`,
    [userId, methodId],
  );
  return row?.id;
}

/** Whether the set holds an unused code of this hash. */
export async function isRecoveryCodeUnused(q: Queryable, setId: string, hash: Buffer): Promise<boolean> {
  const found = await q.rows<{ id: string }>(
    `SELECT id FROM mfa_recovery_code WHERE method_id = $1 AND code_hash = $2 AND used_at IS NULL`,
    [setId, hash],
  );
  return found.length === 1;
}

/** Spends the unused code of this hash; false when there is none (wrong, or spent meanwhile). */
export async function spendRecoveryCode(q: Queryable, setId: string, hash: Buffer): Promise<boolean> {
  const spent = await q.rows<{ id: string }>(
    `UPDATE mfa_recovery_code SET used_at = now()
     WHERE method_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id`,
    [setId, hash],
  );
  return spent.length === 1;
}

/** Deletes the user's recovery-code set (its codes go with it). */
export function deleteRecoveryCodeSet(q: Queryable, userId: string): Promise<number> {
  return q.exec(`DELETE FROM mfa_method WHERE user_id = $1 AND type = 'recoveryCode'`, [userId]);
}

/** A new, confirmed recovery-code set of the user, without codes yet; answers its id. */
export async function insertRecoveryCodeSet(q: Queryable, userId: string): Promise<string> {
  const row = await q.row<{ id: string }>(
    `INSERT INTO mfa_method (user_id, type, name, confirmed_at) VALUES ($1, 'recoveryCode', 'Recovery codes', now())
     RETURNING id`,
    [userId],
  );
  return row!.id;
}

export async function insertRecoveryCodes(q: Queryable, setId: string, hashes: Buffer[]): Promise<void> {
  await q.exec(`INSERT INTO mfa_recovery_code (method_id, code_hash) SELECT $1, unnest($2::bytea[])`, [
    setId,
    hashes,
  ]);
}
