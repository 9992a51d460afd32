import { columns, ColumnsOf } from '../database/columns.js';
import { prepared, Queryable } from '../database/db.js';
import type { CodeFace } from './tokens.types.js';

/** A code to store: only its SHA-256 is. */
export interface NewAuthCode {
  codeHash: Buffer;
  /** auth_client.id */
  clientId: string;
  userId: string;
  tenantId: string;
  authMethod: string;
  mfaPending: boolean;
  redirectUri: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  nonce: string | null;
  scope: string | null;
  deviceInfo: string | null;
  expiresAt: Date;
  face: CodeFace;
  /** When the user really signed in; null: now. */
  authTime: Date | null;
}

export async function insertAuthCode(q: Queryable, c: NewAuthCode): Promise<void> {
  await q.exec(
    prepared(
      'tokens.code_insert',
      `INSERT INTO auth_code (code_hash, client_id, user_id, tenant_id, auth_method, mfa_pending, redirect_uri,
                              code_challenge, code_challenge_method, nonce, scope, device_info, expires_at, face,
                              auth_time)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, coalesce($15, now()))`,
    ),
    [
      c.codeHash,
      c.clientId,
      c.userId,
      c.tenantId,
      c.authMethod,
      c.mfaPending,
      c.redirectUri,
      c.codeChallenge,
      c.codeChallengeMethod,
      c.nonce,
      c.scope,
      c.deviceInfo,
      c.expiresAt,
      c.face,
      c.authTime,
    ],
  );
}

/** A live code as the second-factor routes see it (never its clear value). */
export interface PendingCode {
  id: string;
  userId: string;
  tenantId: string;
  /** auth_client.id */
  clientId: string;
  mfaPending: boolean;
  createdAt: Date;
}

const PENDING: ColumnsOf<PendingCode> = {
  id: 'id',
  userId: 'user_id',
  tenantId: 'tenant_id',
  clientId: 'client_id',
  mfaPending: 'mfa_pending',
  createdAt: 'created_at',
};

/** A live (unspent, unexpired) code of the client with this public client_id. */
export function findLiveCode(
  q: Queryable,
  codeHash: Buffer,
  publicClientId: string,
): Promise<PendingCode | undefined> {
  return q.row<PendingCode>(
    `SELECT ${columns(PENDING, 'c')}
     FROM auth_code c JOIN auth_client a ON a.id = c.client_id
     WHERE c.code_hash = $1 AND a.client_id = $2 AND c.used_at IS NULL AND c.expires_at > now()`,
    [codeHash, publicClientId],
  );
}

/** The user's newest live code waiting for its second factor (of one client, by auth_client.id, when given). */
export function latestPendingMfaCode(
  q: Queryable,
  userId: string,
  clientId: string | null,
): Promise<PendingCode | undefined> {
  return q.row<PendingCode>(
    `SELECT ${columns(PENDING)} FROM auth_code
     WHERE user_id = $1 AND ($2::uuid IS NULL OR client_id = $2::uuid)
       AND mfa_pending AND used_at IS NULL AND expires_at > now()
     ORDER BY created_at DESC LIMIT 1`,
    [userId, clientId],
  );
}

/** What a spent pending code hands on to the full code that replaces it. */
export interface SpentPendingCode {
  client_id: string;
  user_id: string;
  tenant_id: string;
  redirect_uri: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
  nonce: string | null;
  scope: string | null;
  device_info: string | null;
  face: CodeFace;
}

/** Spends a live code still waiting for its second factor (once: a conditional UPDATE). */
export function spendPendingMfaCode(q: Queryable, id: string): Promise<SpentPendingCode | undefined> {
  return q.row<SpentPendingCode>(
    `UPDATE auth_code SET used_at = now()
     WHERE id = $1 AND mfa_pending AND used_at IS NULL AND expires_at > now()
     RETURNING client_id, user_id, tenant_id, redirect_uri, code_challenge, code_challenge_method, nonce,
               scope, device_info, face`,
    [id],
  );
}

/** Spends a pending code without completing it. */
export async function burnPendingMfaCode(q: Queryable, id: string): Promise<void> {
  await q.exec(`UPDATE auth_code SET used_at = now() WHERE id = $1 AND mfa_pending AND used_at IS NULL`, [
    id,
  ]);
}

/** A code by hash, whatever its state: the exchange decides. */
export interface CodeRow {
  id: string;
  client_id: string;
  public_client_id: string;
  user_id: string;
  tenant_id: string;
  auth_method: string;
  mfa_pending: boolean;
  redirect_uri: string | null;
  code_challenge: string | null;
  expired: boolean;
  used_at: Date | null;
  face: CodeFace;
  session_id: string | null;
}

export function findCode(q: Queryable, codeHash: Buffer): Promise<CodeRow | undefined> {
  return q.row<CodeRow>(
    prepared(
      'tokens.code_find',
      `SELECT c.id, c.client_id, a.client_id AS public_client_id, c.user_id, c.tenant_id, c.auth_method,
              c.mfa_pending, c.redirect_uri, c.code_challenge, c.expires_at <= now() AS expired, c.used_at,
              c.face, c.session_id
       FROM auth_code c JOIN auth_client a ON a.id = c.client_id WHERE c.code_hash = $1`,
    ),
    [codeHash],
  );
}

/**
 * Spends a live, complete code and records the session its exchange starts (a conditional
 * UPDATE: of concurrent exchanges, one wins); undefined when it was spent meanwhile.
 */
export function spendCode(
  q: Queryable,
  id: string,
  sessionId: string,
): Promise<{ scope: string | null; nonce: string | null; auth_time: Date | null } | undefined> {
  return q.row(
    prepared(
      'tokens.code_spend',
      `UPDATE auth_code SET used_at = now(), session_id = $2
       WHERE id = $1 AND used_at IS NULL AND mfa_pending = false AND expires_at > now()
       RETURNING scope, nonce, auth_time`,
    ),
    [id, sessionId],
  );
}

/** The session a code's exchange started, if any. */
export async function sessionOfCode(q: Queryable, id: string): Promise<string | null> {
  const row = await q.row<{ session_id: string | null }>(`SELECT session_id FROM auth_code WHERE id = $1`, [
    id,
  ]);
  return row?.session_id ?? null;
}
