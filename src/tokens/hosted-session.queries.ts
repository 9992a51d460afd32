import { prepared, Queryable } from '../database/db.js';

/** A signed-in browser at the authorization server (the hosted-session cookie's row). */
export interface HostedSessionRow {
  id: string;
  user_id: string;
  tenant_id: string;
  auth_method: string;
  auth_time: Date;
  /** When a second factor was proven in this sign-in; null when none was. */
  mfa_at: Date | null;
  expires_at: Date;
}

export async function insertHostedSession(
  q: Queryable,
  s: {
    tokenHash: Buffer;
    userId: string;
    tenantId: string;
    authMethod: string;
    authTime: Date;
    mfaAt: Date | null;
    expiresAt: Date;
  },
): Promise<string> {
  const row = await q.row<{ id: string }>(
    `INSERT INTO hosted_session (token_hash, user_id, tenant_id, auth_method, auth_time, mfa_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [s.tokenHash, s.userId, s.tenantId, s.authMethod, s.authTime, s.mfaAt, s.expiresAt],
  );
  return row!.id;
}

/** The live hosted session of a cookie's token hash. */
export function findHostedSession(q: Queryable, tokenHash: Buffer): Promise<HostedSessionRow | undefined> {
  return q.row<HostedSessionRow>(
    prepared(
      'hosted_session.find',
      `SELECT id, user_id, tenant_id, auth_method, auth_time, mfa_at, expires_at FROM hosted_session
       WHERE token_hash = $1 AND expires_at > now()`,
    ),
    [tokenHash],
  );
}

export function deleteHostedSession(q: Queryable, tokenHash: Buffer): Promise<number> {
  return q.exec(`DELETE FROM hosted_session WHERE token_hash = $1`, [tokenHash]);
}

/**
 * Ends the hosted sessions of a user (in one tenant, when given): whenever all of the user's
 * sessions end (password reset, removal, ...), the browsers signed in at the hosted page are
 * signed out too.
 */
export function deleteHostedSessionsOfUser(
  q: Queryable,
  userId: string,
  tenantId: string | null,
): Promise<number> {
  return q.exec(
    `DELETE FROM hosted_session WHERE user_id = $1 AND ($2::uuid IS NULL OR tenant_id = $2::uuid)`,
    [userId, tenantId],
  );
}

export function purgeExpiredHostedSessions(q: Queryable): Promise<number> {
  return q.exec(`DELETE FROM hosted_session WHERE expires_at < now()`);
}
