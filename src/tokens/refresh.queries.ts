import { prepared, Queryable } from '../database/db.js';
import type { SessionFace } from './tokens.types.js';

/**
 * What spending a refresh token reads in the same statement (nulls: the session, client or
 * membership is gone).
 */
export interface SpentRefresh {
  sessionId: string;
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

interface SpentRow {
  session_id: string;
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
 * Spends a current, unexpired refresh token and, in the same round trip, reads what the new pair
 * needs: the live session, its client, and the member's status and permissions in `tenantId`
 * (default: the session's tenant). Undefined when the token is not current (unknown, spent, expired).
 */
export async function spendRefresh(
  q: Queryable,
  hash: Buffer,
  tenantId: string | null,
): Promise<SpentRefresh | undefined> {
  const r = await q.row<SpentRow>(
    prepared(
      'tokens.refresh_spend',
      `WITH spent AS (
         UPDATE refresh_token SET rotated_at = now()
         WHERE token_hash = $1 AND rotated_at IS NULL AND expires_at > now()
         RETURNING session_id)
       SELECT spent.session_id, s.id, s.user_id, s.tenant_id, s.auth_method, s.face, s.scope,
              c.id AS client_uuid, c.client_id AS public_client_id, c.is_public AS client_is_public,
              c.access_token_expiration, c.refresh_token_expiration,
              mb.status AS membership_status, coalesce(r.permissions, '{}') AS permissions
       FROM spent
       LEFT JOIN session s ON s.id = spent.session_id AND s.revoked_at IS NULL AND s.expires_at > now()
       LEFT JOIN auth_client c ON c.id = s.client_id
       LEFT JOIN membership mb ON mb.user_id = s.user_id AND mb.tenant_id = coalesce($2::uuid, s.tenant_id)
       LEFT JOIN role r ON r.id = mb.role_id`,
    ),
    [hash, tenantId],
  );
  if (!r) return undefined;
  return {
    sessionId: r.session_id,
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
 * The next refresh token of a session's family, with the session moved along in the same
 * statement: its tenant (a switch), last use, expiry and the expiry of its newest access token.
 */
export async function issueRefresh(
  q: Queryable,
  r: {
    sessionId: string;
    tenantId: string;
    hash: Buffer;
    expiresAt: Date;
    accessExpiresAt: Date;
    deviceInfo: string | null;
  },
): Promise<void> {
  await q.exec(
    prepared(
      'tokens.refresh_issue',
      `WITH issued AS (INSERT INTO refresh_token (session_id, token_hash, expires_at) VALUES ($1, $6, $3))
       UPDATE session SET tenant_id = $2, last_used_at = now(), expires_at = $3,
              access_expires_at = greatest(access_expires_at, $4), device_info = coalesce($5, device_info)
       WHERE id = $1`,
    ),
    [r.sessionId, r.tenantId, r.expiresAt, r.accessExpiresAt, r.deviceInfo, r.hash],
  );
}
