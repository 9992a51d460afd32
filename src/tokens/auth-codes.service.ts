import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { randomToken, sha256 } from '../common/crypto/tokens.js';
import { Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { firstRow } from '../database/sql.js';
import { ClientsService } from '../identity/clients.service.js';
import type { AuthClient } from '../identity/identity.types.js';
import { queryableOf } from '../database/typeorm-bridge.js';
import { verifyPkce } from './pkce.js';
import { IssuedTokens, SessionsService } from './sessions.service.js';

export const DEFAULT_AUTH_CODE_TTL_S = 60;
/** A code waiting for its second factor stays valid this long (API.md section 4). */
export const MFA_PENDING_CODE_TTL_S = 300;

/**
 * Where a code may be exchanged (API.md section 12, "codes stay on their face"): `auth` codes (of
 * `/auth/login`, the social and SAML callbacks, the OTP login) at `/auth/token`; `oauth2` codes
 * (of `/oauth2/authorize`) only at `/oauth2/token`, which authenticates confidential clients.
 */
export type CodeFace = 'auth' | 'oauth2';

export interface IssueCodeInput {
  client: AuthClient;
  userId: string;
  tenantId: string;
  authMethod: string;
  mfaPending?: boolean;
  redirectUri?: string | null;
  codeChallenge?: string | null;
  codeChallengeMethod?: string | null;
  nonce?: string | null;
  scope?: string | null;
  deviceInfo?: string | null;
  /** Default `auth`. */
  face?: CodeFace;
  /** When the user really signed in (the ID token's `auth_time`); default: now. */
  authTime?: Date | null;
}

interface CodeRow {
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

interface PendingCodeRow {
  id: string;
  user_id: string;
  tenant_id: string;
  client_id: string;
  mfa_pending: boolean;
  created_at: Date;
}

function toPendingCode(row: PendingCodeRow): PendingCode {
  return {
    id: row.id,
    userId: row.user_id,
    tenantId: row.tenant_id,
    clientId: row.client_id,
    mfaPending: row.mfa_pending,
    createdAt: row.created_at,
  };
}

/** Single-use authorization codes, bound to their client and optional PKCE challenge. */
@Injectable()
export class AuthCodesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
    private readonly clients: ClientsService,
  ) {}

  async issue(input: IssueCodeInput, manager?: EntityManager): Promise<{ code: string; expiresAt: Date }> {
    const code = randomToken();
    const ttl = input.mfaPending
      ? MFA_PENDING_CODE_TTL_S
      : (input.client.authCodeExpiration ?? DEFAULT_AUTH_CODE_TTL_S);
    const expiresAt = new Date(Date.now() + ttl * 1000);
    await (manager ?? this.dataSource.manager).query(
      `INSERT INTO auth_code (code_hash, client_id, user_id, tenant_id, auth_method, mfa_pending, redirect_uri,
                              code_challenge, code_challenge_method, nonce, scope, device_info, expires_at, face,
                              auth_time)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, coalesce($15, now()))`,
      [
        sha256(code),
        input.client.id,
        input.userId,
        input.tenantId,
        input.authMethod,
        input.mfaPending ?? false,
        input.redirectUri ?? null,
        input.codeChallenge ?? null,
        input.codeChallenge ? (input.codeChallengeMethod ?? 'S256') : null,
        input.nonce ?? null,
        input.scope ?? null,
        input.deviceInfo ?? null,
        expiresAt,
        input.face ?? 'auth',
        input.authTime ?? null,
      ],
    );
    return { code, expiresAt };
  }

  /**
   * A live (unspent, unexpired) code of `publicClientId`, without spending it: `/auth/check-qr-code`
   * and `/auth/create-qr-code` identify the user of an `/auth/login` code this way.
   */
  async findLive(code: string, publicClientId: string): Promise<PendingCode | undefined> {
    const row = await firstRow<PendingCodeRow>(
      this.dataSource.manager,
      `SELECT c.id, c.user_id, c.tenant_id, c.client_id, c.mfa_pending, c.created_at
       FROM auth_code c JOIN auth_client a ON a.id = c.client_id
       WHERE c.code_hash = $1 AND a.client_id = $2 AND c.used_at IS NULL AND c.expires_at > now()`,
      [sha256(code), publicClientId],
    );
    return row && toPendingCode(row);
  }

  /**
   * The user's newest live code still waiting for its second factor (optionally of one client,
   * by auth_client.id): `/auth/verify-otp` completes it.
   */
  async latestPendingMfa(userId: string, clientId?: string): Promise<PendingCode | undefined> {
    const row = await firstRow<PendingCodeRow>(
      this.dataSource.manager,
      `SELECT id, user_id, tenant_id, client_id, mfa_pending, created_at FROM auth_code
       WHERE user_id = $1 AND ($2::uuid IS NULL OR client_id = $2::uuid)
         AND mfa_pending AND used_at IS NULL AND expires_at > now()
       ORDER BY created_at DESC LIMIT 1`,
      [userId, clientId ?? null],
    );
    return row && toPendingCode(row);
  }

  /**
   * Completes the second factor of a pending code: the pending code is spent and a full code is
   * issued with the same client, tenant, PKCE challenge, redirect, nonce and scope, recording how
   * the login ended (`TOTP`, `RECOVERY_CODE`, `OTP`). One conditional UPDATE, so a pending code is
   * completed once; undefined when it is no longer live.
   */
  async completeMfa(
    pendingId: string,
    authMethod: string,
    manager?: EntityManager,
  ): Promise<{ code: string; expiresAt: Date } | undefined> {
    const work = async (m: EntityManager) => {
      const spent = await firstRow<{
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
      }>(
        m,
        `UPDATE auth_code SET used_at = now()
         WHERE id = $1 AND mfa_pending AND used_at IS NULL AND expires_at > now()
         RETURNING client_id, user_id, tenant_id, redirect_uri, code_challenge, code_challenge_method, nonce,
                   scope, device_info, face`,
        [pendingId],
      );
      if (!spent) return undefined;
      const client = await this.clients.findByIdIn(queryableOf(m), spent.client_id);
      if (!client) return undefined;
      return this.issue(
        {
          client,
          userId: spent.user_id,
          tenantId: spent.tenant_id,
          authMethod,
          redirectUri: spent.redirect_uri,
          codeChallenge: spent.code_challenge,
          codeChallengeMethod: spent.code_challenge_method,
          nonce: spent.nonce,
          scope: spent.scope,
          deviceInfo: spent.device_info,
          face: spent.face,
        },
        m,
      );
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }

  /** Spends a pending code without completing it (too many wrong second factors). */
  async burnPendingMfa(pendingId: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).query(
      `UPDATE auth_code SET used_at = now() WHERE id = $1 AND mfa_pending AND used_at IS NULL`,
      [pendingId],
    );
  }

  /**
   * Exchanges a code for tokens at the route of `face` (a code of another face is 401 INVALID_CODE).
   * The code is spent, and the id of the session it starts recorded on it, by a conditional UPDATE
   * in the same transaction that starts the session, so two concurrent exchanges yield exactly one
   * token pair and a crash cannot spend a code without issuing tokens. A code presented again
   * after its exchange (a replay, RFC 6749 section 4.1.2) is refused AND ends the session it
   * started, on every instance. 401 INVALID_CODE for spent, expired, unknown or foreign codes and
   * PKCE mismatches; 401 MFA_REQUIRED while the second factor is due.
   */
  async exchange(input: {
    code: string;
    clientId: string;
    face: CodeFace;
    codeVerifier?: string;
    redirectUri?: string;
    ctx: RequestContext;
    accessTtlSeconds?: number;
  }): Promise<{
    tokens: IssuedTokens;
    scope: string | null;
    nonce: string | null;
    /** When the user really signed in. */
    authTime: Date;
    client: AuthClient;
  }> {
    const hash = sha256(input.code);
    const row = await firstRow<CodeRow>(
      this.dataSource.manager,
      `SELECT c.id, c.client_id, a.client_id AS public_client_id, c.user_id, c.tenant_id, c.auth_method,
              c.mfa_pending, c.redirect_uri, c.code_challenge, c.expires_at <= now() AS expired, c.used_at,
              c.face, c.session_id
       FROM auth_code c JOIN auth_client a ON a.id = c.client_id WHERE c.code_hash = $1`,
      [hash],
    );
    if (!row) throw Errors.invalidCode();
    if (row.used_at) {
      if (row.session_id) await this.sessions.end(row.session_id, { reason: 'code_replay', ctx: input.ctx });
      throw Errors.invalidCode();
    }
    if (row.expired || row.public_client_id !== input.clientId || row.face !== input.face)
      throw Errors.invalidCode();
    if (row.mfa_pending) throw Errors.mfaRequired();
    if (
      row.code_challenge
        ? !verifyPkce(row.code_challenge, input.codeVerifier)
        : input.codeVerifier !== undefined
    ) {
      throw Errors.invalidCode();
    }
    if (row.redirect_uri && input.redirectUri !== undefined && input.redirectUri !== row.redirect_uri) {
      throw Errors.invalidCode();
    }
    const client = await this.clients.findById(row.client_id);
    if (!client) throw Errors.invalidCode();
    const sessionId = randomUUID();
    const exchanged = await this.dataSource.transaction(async (m) => {
      const spent = await firstRow<{ scope: string | null; nonce: string | null; auth_time: Date | null }>(
        m,
        `UPDATE auth_code SET used_at = now(), session_id = $2
         WHERE id = $1 AND used_at IS NULL AND mfa_pending = false AND expires_at > now()
         RETURNING scope, nonce, auth_time`,
        [row.id, sessionId],
      );
      // Spent meanwhile by a concurrent exchange (which this UPDATE waited for): a replay too.
      if (!spent) return undefined;
      const tokens = await this.sessions.start(
        {
          userId: row.user_id,
          tenantId: row.tenant_id,
          client,
          authMethod: row.auth_method,
          face: input.face,
          sessionId,
          ctx: input.ctx,
          accessTtlSeconds: input.accessTtlSeconds,
          // The scopes granted at /oauth2/authorize stay with the session (a refresh may narrow them).
          scope: input.face === 'oauth2' ? spent.scope : null,
        },
        m,
      );
      return {
        tokens,
        scope: spent.scope,
        nonce: spent.nonce,
        authTime: spent.auth_time ?? new Date(tokens.claims.iat * 1000),
        client,
      };
    });
    if (!exchanged) {
      await this.endSessionOfReplayedCode(row.id, input.ctx);
      throw Errors.invalidCode();
    }
    return exchanged;
  }

  /** Ends the session a spent code started, if any (a pending-MFA code is spent without one). */
  private async endSessionOfReplayedCode(codeId: string, ctx: RequestContext): Promise<void> {
    const spent = await firstRow<{ session_id: string | null }>(
      this.dataSource.manager,
      `SELECT session_id FROM auth_code WHERE id = $1`,
      [codeId],
    );
    if (spent?.session_id) await this.sessions.end(spent.session_id, { reason: 'code_replay', ctx });
  }
}
