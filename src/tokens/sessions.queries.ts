import { columns, ColumnsOf } from '../database/columns.js';
import { prepared, Queryable, StatementStep } from '../database/db.js';
import type { Session, SessionFace } from './tokens.types.js';

/** The session's columns as a `Session`. */
const SESSION: ColumnsOf<Session> = {
  id: 'id',
  userId: 'user_id',
  tenantId: 'tenant_id',
  clientId: 'client_id',
  authMethod: 'auth_method',
  face: 'face',
  deviceInfo: 'device_info',
  accessExpiresAt: 'access_expires_at',
  expiresAt: 'expires_at',
  scope: 'scope',
};

const SESSION_COLUMNS = columns(SESSION);

/** What a member may do in a tenant (no row: not a member of it). */
export interface MemberAccessRow {
  status: string;
  permissions: string[];
}

/** The member's status and permissions in a tenant (every session start and token issue reads it). */
export function memberAccess(
  q: Queryable,
  userId: string,
  tenantId: string,
): Promise<MemberAccessRow | undefined> {
  return q.row<MemberAccessRow>(
    prepared(
      'tokens.member_access',
      `SELECT m.status, coalesce(r.permissions, '{}') AS permissions
       FROM membership m LEFT JOIN role r ON r.id = m.role_id
       WHERE m.user_id = $1 AND m.tenant_id = $2`,
    ),
    [userId, tenantId],
  );
}

/** A session about to be written with its first refresh token. */
export interface NewSession {
  id: string;
  userId: string;
  tenantId: string;
  /** auth_client.id */
  clientId: string;
  authMethod: string;
  deviceInfo: string | null;
  userAgent: string | null;
  ipAddressEnc: string | null;
  expiresAt: Date;
  accessExpiresAt: Date;
  refreshHash: Buffer;
  face: SessionFace;
  scope: string | null;
}

/**
 * A session start in one statement (atomic without BEGIN/COMMIT): the session, its first refresh
 * token and `audit` (the ACCESS row), written only while the user is still an ACTIVE member of
 * the session's tenant. False when they no longer are (nothing is written).
 */
export async function insertSessionOfMember(
  q: Queryable,
  s: NewSession,
  audit: (source: string, firstParam: number) => StatementStep,
): Promise<boolean> {
  const step = audit('started', 14);
  const written = await q.exec(
    prepared(
      'tokens.session_start_member',
      `WITH started AS (
         INSERT INTO session (id, user_id, tenant_id, client_id, auth_method, device_info, user_agent,
                              ip_address_enc, expires_at, access_expires_at, face, scope)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $13 FROM membership
         WHERE user_id = $2 AND tenant_id = $3 AND status = 'ACTIVE'
         RETURNING id),
       issued AS (INSERT INTO refresh_token (session_id, token_hash, expires_at) SELECT id, $11, $9 FROM started),
       audited AS (${step.text})
       SELECT id FROM started`,
    ),
    [
      s.id,
      s.userId,
      s.tenantId,
      s.clientId,
      s.authMethod,
      s.deviceInfo,
      s.userAgent,
      s.ipAddressEnc,
      s.expiresAt,
      s.accessExpiresAt,
      s.refreshHash,
      s.face,
      s.scope,
      ...step.params,
    ],
  );
  return written === 1;
}

/**
 * The live session of a current refresh token that began with `authMethod` (in `tenantId`, when
 * given), locked for the caller's transaction: the server-held member refresh tokens.
 */
export async function lockSessionOfRefresh(
  q: Queryable,
  refreshHash: Buffer,
  authMethod: string,
  tenantId: string | null,
): Promise<Session | undefined> {
  return q.row<Session>(
    prepared(
      'tokens.session_of_refresh_lock',
      `SELECT ${columns(SESSION, 's')}
       FROM refresh_token r JOIN session s ON s.id = r.session_id
       WHERE r.token_hash = $1 AND r.rotated_at IS NULL AND r.expires_at > now()
         AND s.revoked_at IS NULL AND s.expires_at > now() AND s.auth_method = $2
         AND ($3::uuid IS NULL OR s.tenant_id = $3::uuid)
       FOR UPDATE OF s`,
    ),
    [refreshHash, authMethod, tenantId],
  );
}

/** The session of a current refresh token that began with `authMethod` in `tenantId`, if it is live. */
export async function findSessionIdOfRefresh(
  q: Queryable,
  refreshHash: Buffer,
  authMethod: string,
  tenantId: string,
): Promise<string | undefined> {
  const row = await q.row<{ id: string }>(
    `SELECT s.id FROM refresh_token r JOIN session s ON s.id = r.session_id
     WHERE r.token_hash = $1 AND r.rotated_at IS NULL AND r.expires_at > now()
       AND s.revoked_at IS NULL AND s.expires_at > now() AND s.auth_method = $2 AND s.tenant_id = $3`,
    [refreshHash, authMethod, tenantId],
  );
  return row?.id;
}

/** The unrevoked session of a refresh token (current or already rotated). */
export async function findUnrevokedSessionOfRefresh(
  q: Queryable,
  refreshHash: Buffer,
): Promise<{ id: string; userId: string } | undefined> {
  const row = await q.row<{ id: string; user_id: string }>(
    `SELECT s.id, s.user_id FROM refresh_token r JOIN session s ON s.id = r.session_id
     WHERE r.token_hash = $1 AND s.revoked_at IS NULL`,
    [refreshHash],
  );
  return row && { id: row.id, userId: row.user_id };
}

/** Whether an unrevoked session `id` began with `authMethod` in `tenantId`. */
export async function isUnrevokedSessionIn(
  q: Queryable,
  id: string,
  authMethod: string,
  tenantId: string,
): Promise<boolean> {
  const row = await q.row<{ id: string }>(
    `SELECT id FROM session WHERE id = $1 AND revoked_at IS NULL AND auth_method = $2 AND tenant_id = $3`,
    [id, authMethod, tenantId],
  );
  return Boolean(row);
}

/** A new access token was issued for a session: it was used now and its tokens live at least until then. */
export async function touchSession(
  q: Queryable,
  id: string,
  accessExpiresAt: Date,
  deviceInfo: string | null,
): Promise<void> {
  await q.exec(
    prepared(
      'tokens.session_touch',
      `UPDATE session SET last_used_at = now(), access_expires_at = greatest(access_expires_at, $2),
              device_info = coalesce($3, device_info)
       WHERE id = $1`,
    ),
    [id, accessExpiresAt, deviceInfo],
  );
}

/** A live (not revoked, not expired) session by id, with the public client_id. */
export function liveSessionById(
  q: Queryable,
  id: string,
): Promise<
  | {
      id: string;
      user_id: string;
      tenant_id: string;
      client_id: string;
      auth_method: string;
      face: SessionFace;
    }
  | undefined
> {
  return q.row(
    prepared(
      'tokens.session_live',
      `SELECT s.id, s.user_id, s.tenant_id, a.client_id, s.auth_method, s.face
       FROM session s JOIN auth_client a ON a.id = s.client_id
       WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
    ),
    [id],
  );
}

export interface LiveSessionRow {
  id: string;
  client_id: string;
  auth_method: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  user_agent: string | null;
  ip_address_enc: string | null;
}

/** The live sessions of a user, newest first, with the public client_id (the IP still sealed). */
export function liveSessionsOfUser(q: Queryable, userId: string): Promise<LiveSessionRow[]> {
  return q.rows<LiveSessionRow>(
    `SELECT s.id, a.client_id, s.auth_method, s.created_at, s.last_used_at, s.expires_at, s.user_agent,
            s.ip_address_enc
     FROM session s JOIN auth_client a ON a.id = s.client_id
     WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
     ORDER BY s.created_at DESC`,
    [userId],
  );
}

/** The ids of the unrevoked sessions matching every given field (null: any), except one. */
export async function unrevokedSessionIds(
  q: Queryable,
  filter: {
    userId: string | null;
    tenantId: string | null;
    clientId: string | null;
    exceptId: string | null;
  },
): Promise<string[]> {
  const found = await q.rows<{ id: string }>(
    `SELECT id FROM session WHERE revoked_at IS NULL
       AND ($1::uuid IS NULL OR user_id = $1::uuid)
       AND ($2::uuid IS NULL OR tenant_id = $2::uuid)
       AND ($3::uuid IS NULL OR client_id = $3::uuid)
       AND ($4::uuid IS NULL OR id <> $4::uuid)`,
    [filter.userId, filter.tenantId, filter.clientId, filter.exceptId],
  );
  return found.map((r) => r.id);
}

/** Marks a session revoked; answers it, or undefined when it was already. */
export async function markSessionRevoked(
  q: Queryable,
  id: string,
  reason: string,
): Promise<Session | undefined> {
  return q.row<Session>(
    prepared(
      'tokens.session_revoke',
      `UPDATE session SET revoked_at = now(), revoked_reason = $2
       WHERE id = $1 AND revoked_at IS NULL RETURNING ${SESSION_COLUMNS}`,
    ),
    [id, reason],
  );
}

/** The public client_id and access-token lifetime of a session's client (auth_client.id). */
export async function clientOfSession(
  q: Queryable,
  clientUuid: string,
): Promise<{ clientId: string; accessTokenExpiration: number | null } | undefined> {
  const row = await q.row<{ client_id: string; access_token_expiration: number | null }>(
    prepared(
      'tokens.session_client',
      `SELECT client_id, access_token_expiration FROM auth_client WHERE id = $1`,
    ),
    [clientUuid],
  );
  return row && { clientId: row.client_id, accessTokenExpiration: row.access_token_expiration };
}
