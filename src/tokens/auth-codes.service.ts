import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { randomToken, sha256 } from '../common/crypto/tokens.js';
import { Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { Db, Queryable } from '../database/db.js';
import { ClientsService } from '../identity/clients.service.js';
import type { AuthClient } from '../identity/identity.types.js';
import {
  burnPendingMfaCode,
  findCode,
  findLiveCode,
  insertAuthCode,
  latestPendingMfaCode,
  PendingCode,
  sessionOfCode,
  spendCode,
  spendPendingMfaCode,
} from './auth-codes.queries.js';
import { verifyPkce } from './pkce.js';
import { SessionsService } from './sessions.service.js';
import type { CodeFace, IssuedTokens } from './tokens.types.js';

export type { CodeFace } from './tokens.types.js';
export type { PendingCode } from './auth-codes.queries.js';

export const DEFAULT_AUTH_CODE_TTL_S = 60;
/** A code waiting for its second factor stays valid this long (API.md section 4). */
export const MFA_PENDING_CODE_TTL_S = 300;

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

/** Single-use authorization codes, bound to their client and optional PKCE challenge. */
@Injectable()
export class AuthCodesService {
  constructor(
    private readonly db: Db,
    private readonly sessions: SessionsService,
    private readonly clients: ClientsService,
  ) {}

  /** `issueIn` on its own. */
  issue(input: IssueCodeInput): Promise<{ code: string; expiresAt: Date }> {
    return this.issueIn(this.db, input);
  }

  /** Issues a code in the caller's transaction; answers the clear code (handed out once). */
  async issueIn(q: Queryable, input: IssueCodeInput): Promise<{ code: string; expiresAt: Date }> {
    const code = randomToken();
    const ttl = input.mfaPending
      ? MFA_PENDING_CODE_TTL_S
      : (input.client.authCodeExpiration ?? DEFAULT_AUTH_CODE_TTL_S);
    const expiresAt = new Date(Date.now() + ttl * 1000);
    await insertAuthCode(q, {
      codeHash: sha256(code),
      clientId: input.client.id,
      userId: input.userId,
      tenantId: input.tenantId,
      authMethod: input.authMethod,
      mfaPending: input.mfaPending ?? false,
      redirectUri: input.redirectUri ?? null,
      codeChallenge: input.codeChallenge ?? null,
      codeChallengeMethod: input.codeChallenge ? (input.codeChallengeMethod ?? 'S256') : null,
      nonce: input.nonce ?? null,
      scope: input.scope ?? null,
      deviceInfo: input.deviceInfo ?? null,
      expiresAt,
      face: input.face ?? 'auth',
      authTime: input.authTime ?? null,
    });
    return { code, expiresAt };
  }

  /**
   * A live (unspent, unexpired) code of `publicClientId`, without spending it: `/auth/check-qr-code`
   * and `/auth/create-qr-code` identify the user of an `/auth/login` code this way.
   */
  async findLive(code: string, publicClientId: string): Promise<PendingCode | undefined> {
    return findLiveCode(this.db, sha256(code), publicClientId);
  }

  /**
   * The user's newest live code still waiting for its second factor (optionally of one client,
   * by auth_client.id): `/auth/verify-otp` completes it.
   */
  async latestPendingMfa(userId: string, clientId?: string): Promise<PendingCode | undefined> {
    return latestPendingMfaCode(this.db, userId, clientId ?? null);
  }

  /** `completeMfaIn` in a transaction of its own. */
  completeMfa(pendingId: string, authMethod: string): Promise<{ code: string; expiresAt: Date } | undefined> {
    return this.db.transaction((tx) => this.completeMfaIn(tx, pendingId, authMethod));
  }

  /**
   * Completes the second factor of a pending code in the caller's transaction: the pending code is
   * spent and a full code is issued with the same client, tenant, PKCE challenge, redirect, nonce
   * and scope, recording how the login ended (`TOTP`, `RECOVERY_CODE`, `OTP`). One conditional
   * UPDATE, so a pending code is completed once; undefined when it is no longer live.
   */
  async completeMfaIn(
    tx: Queryable,
    pendingId: string,
    authMethod: string,
  ): Promise<{ code: string; expiresAt: Date } | undefined> {
    const spent = await spendPendingMfaCode(tx, pendingId);
    if (!spent) return undefined;
    const client = await this.clients.findById(spent.client_id);
    if (!client) return undefined;
    return this.issueIn(tx, {
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
    });
  }

  /** Spends a pending code without completing it (too many wrong second factors). */
  async burnPendingMfa(pendingId: string): Promise<void> {
    await burnPendingMfaCode(this.db, pendingId);
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
    const row = await findCode(this.db, hash);
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
    const exchanged = await this.db.transaction(async (tx) => {
      const spent = await spendCode(tx, row.id, sessionId);
      // Spent meanwhile by a concurrent exchange (which this UPDATE waited for): a replay too.
      if (!spent) return undefined;
      const tokens = await this.sessions.startIn(tx, {
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
      });
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
    const sessionId = await sessionOfCode(this.db, codeId);
    if (sessionId) await this.sessions.end(sessionId, { reason: 'code_replay', ctx });
  }
}
