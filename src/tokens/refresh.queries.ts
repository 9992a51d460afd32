import { prepared, Queryable, StatementStep } from '../database/db.js';
import type { SessionFace } from './tokens.types.js';

/**
 * A presented refresh token as rotation needs it (nulls: the session, client or membership is
 * gone): read first, so the rules are checked before anything is written.
 */
export interface PresentedRefresh {
  sessionId: string;
  /** Already spent: presenting it again is reuse. */
  rotated: boolean;
  expired: boolean;
  /** Null when the session is revoked or expired. */
  session: {
    id: string;
    userId: string;
    tenantId: string;
    authMethod: string;
    face: SessionFace;
    scope: string | null;
  } | null;
  /** Null when the client is gone. */
  client: {
    /** The public client_id. */
    clientId: string;
    isPublic: boolean;
    accessTokenExpiration: number | null;
    refreshTokenExpiration: number | null;
  } | null;
  /** The member's status in the target tenant; null when they are not a member. */
  membershipStatus: string | null;
  permissions: string[];
}

interface PresentedRow {
  session_id: string;
  rotated: boolean;
  expired: boolean;
  id: string | null;
  user_id: string | null;
  tenant_id: string | null;
  auth_method: string | null;
  face: SessionFace | null;
  scope: string | null;
  client_uuid: string | null;
  public_client_id: string | null;
  client_is_public: boolean | null;
  access_token_expiration: number | null;
  refresh_token_expiration: number | null;
  membership_status: string | null;
  permissions: string[];
}

/**
 * A refresh token by hash, with what its rotation needs in the same round trip: the live session,
 * its client, and the member's status and permissions in `tenantId` (default: the session's
 * tenant; read again on every refresh, so a locked member or a changed role takes effect there).
 * Undefined when no such token was issued (or it was purged).
 */
export async function findPresentedRefresh(
  q: Queryable,
  hash: Buffer,
  tenantId: string | null,
): Promise<PresentedRefresh | undefined> {
  const r = await q.row<PresentedRow>(
    prepared(
      'tokens.refresh_presented',
      `SELECT rt.session_id, rt.rotated_at IS NOT NULL AS rotated, rt.expires_at <= now() AS expired,
              s.id, s.user_id, s.tenant_id, s.auth_method, s.face, s.scope,
              c.id AS client_uuid, c.client_id AS public_client_id, c.is_public AS client_is_public,
              c.access_token_expiration, c.refresh_token_expiration,
              mb.status AS membership_status, coalesce(r.permissions, '{}') AS permissions
       FROM refresh_token rt
       LEFT JOIN session s ON s.id = rt.session_id AND s.revoked_at IS NULL AND s.expires_at > now()
       LEFT JOIN auth_client c ON c.id = s.client_id
       LEFT JOIN membership mb ON mb.user_id = s.user_id AND mb.tenant_id = coalesce($2::uuid, s.tenant_id)
       LEFT JOIN role r ON r.id = mb.role_id
       WHERE rt.token_hash = $1`,
    ),
    [hash, tenantId],
  );
  if (!r) return undefined;
  return {
    sessionId: r.session_id,
    rotated: r.rotated,
    expired: r.expired,
    session:
      r.id && r.user_id && r.tenant_id
        ? {
            id: r.id,
            userId: r.user_id,
            tenantId: r.tenant_id,
            authMethod: r.auth_method!,
            face: r.face!,
            scope: r.scope,
          }
        : null,
    client: r.client_uuid
      ? {
          clientId: r.public_client_id!,
          isPublic: r.client_is_public!,
          accessTokenExpiration: r.access_token_expiration,
          refreshTokenExpiration: r.refresh_token_expiration,
        }
      : null,
    membershipStatus: r.membership_status,
    permissions: r.permissions,
  };
}

/** A refresh token by hash, whatever its state: reuse detection asks whether it was already spent. */
export async function findRefresh(
  q: Queryable,
  hash: Buffer,
): Promise<{ sessionId: string; rotatedAt: Date | null } | undefined> {
  const row = await q.row<{ session_id: string; rotated_at: Date | null }>(
    prepared('tokens.refresh_find', `SELECT session_id, rotated_at FROM refresh_token WHERE token_hash = $1`),
    [hash],
  );
  return row && { sessionId: row.session_id, rotatedAt: row.rotated_at };
}

/**
 * Rotation in one statement (atomic without BEGIN/COMMIT, one round trip): spends the presented
 * token if it is still current and its session live, issues the next one in the same family,
 * moves the session along (its tenant on a switch, last use, expiry, the expiry of its newest
 * access token), and writes `audit` (the RELOGIN row) with it. False when the token was spent
 * by someone else meanwhile, expired or its session ended: then nothing is written.
 */
export async function rotateRefresh(
  q: Queryable,
  r: {
    presentedHash: Buffer;
    nextHash: Buffer;
    tenantId: string;
    expiresAt: Date;
    accessExpiresAt: Date;
    deviceInfo: string | null;
  },
  audit: (source: string, firstParam: number) => StatementStep,
): Promise<boolean> {
  const step = audit('spent', 7);
  const moved = await q.exec(
    prepared(
      'tokens.refresh_rotate',
      `WITH spent AS (
         UPDATE refresh_token rt SET rotated_at = now() FROM session s
         WHERE rt.token_hash = $1 AND rt.rotated_at IS NULL AND rt.expires_at > now()
           AND s.id = rt.session_id AND s.revoked_at IS NULL AND s.expires_at > now()
         RETURNING rt.session_id),
       issued AS (INSERT INTO refresh_token (session_id, token_hash, expires_at) SELECT session_id, $2, $4 FROM spent),
       audited AS (${step.text})
       UPDATE session SET tenant_id = $3, last_used_at = now(), expires_at = $4,
              access_expires_at = greatest(access_expires_at, $5), device_info = coalesce($6, device_info)
       FROM spent WHERE session.id = spent.session_id`,
    ),
    [r.presentedHash, r.nextHash, r.tenantId, r.expiresAt, r.accessExpiresAt, r.deviceInfo, ...step.params],
  );
  return moved === 1;
}
