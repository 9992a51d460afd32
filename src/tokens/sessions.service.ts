import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import { SecretBox, sealedAt } from '../common/crypto/secret-box.js';
import { Errors } from '../common/errors/app-error.js';
import { randomToken, sha256 } from '../common/crypto/tokens.js';
import type { RequestContext } from '../common/http/request-context.js';
import { Db, Queryable } from '../database/db.js';
import { AccessClaims, AccessTokensService } from './access-tokens.service.js';
import {
  activityEntry,
  emitSessionEvent,
  LOGIN_ACTIVITY_RECORDER,
  LoginActivityEntry,
  LoginActivityRecorder,
  SESSION_STARTED,
} from './login-activity-recorder.js';
import { activeMemberPermissions } from './member-access.js';
import { EndFilter, EndOptions, SessionEndingsService } from './session-endings.service.js';
import { SessionRefreshService } from './session-refresh.service.js';
import {
  liveSessionById,
  findUnrevokedSessionOfRefresh,
  insertSessionOfMember,
  liveSessionsOfUser,
  NewSession,
} from './sessions.queries.js';
import {
  accessTtl,
  IssuedTokens,
  LiveSession,
  LiveSessionRef,
  RefreshOptions,
  refreshTtl,
  StartSessionInput,
} from './tokens.types.js';

export {
  DEFAULT_ACCESS_TTL_S,
  DEFAULT_REFRESH_TTL_S,
  type IssuedTokens,
  type LiveSession,
  type SessionFace,
  type StartSessionInput,
} from './tokens.types.js';

/**
 * The one entry point of the token engine. `start` is called by every login path; it creates the
 * session (refresh-token family), signs the access token and writes the login-activity row in one
 * statement. `refresh` rotates with reuse detection (SessionRefreshService); `end` revokes a
 * family and its access tokens (SessionEndingsService).
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly db: Db,
    private readonly accessTokens: AccessTokensService,
    private readonly refresher: SessionRefreshService,
    private readonly endings: SessionEndingsService,
    private readonly box: SecretBox,
    private readonly events: EventEmitter2,
    @Inject(LOGIN_ACTIVITY_RECORDER) private readonly recorder: LoginActivityRecorder,
  ) {}

  /**
   * `startIn` without a caller's transaction, in two round trips: the member's permissions (unless
   * the caller gives them), then the session start's one statement. Should the membership have
   * changed in between, `startIn` runs in a transaction and answers (or refuses) as it is now.
   */
  async start(input: StartSessionInput): Promise<IssuedTokens> {
    const permissions =
      input.permissions ?? (await activeMemberPermissions(this.db, input.userId, input.tenantId));
    return (
      (await this.write(this.db, input, permissions)) ?? this.db.transaction((tx) => this.startIn(tx, input))
    );
  }

  /**
   * Starts a session, in the caller's transaction, for an ACTIVE member of `tenantId` (403
   * NOT_A_MEMBER / status otherwise): the session, its first refresh token and the ACCESS
   * activity row commit together.
   */
  async startIn(tx: Queryable, input: StartSessionInput): Promise<IssuedTokens> {
    const permissions = await activeMemberPermissions(tx, input.userId, input.tenantId);
    const tokens = await this.write(tx, input, permissions);
    if (tokens) return tokens;
    // The membership changed between the read and the write: refused as it is now.
    await activeMemberPermissions(tx, input.userId, input.tenantId);
    throw Errors.notAMember();
  }

  /**
   * The one statement of every session start (insertSessionOfMember: the session, its first
   * refresh token and the ACCESS row, only while the membership is still ACTIVE), on `q`.
   * Undefined when it wrote nothing.
   */
  private async write(
    q: Queryable,
    input: StartSessionInput,
    permissions: string[],
  ): Promise<IssuedTokens | undefined> {
    const start = this.prepare(input, permissions);
    const written = await insertSessionOfMember(q, start.session, (source, first) =>
      this.recorder.step(start.activity, source, first),
    );
    if (!written) return undefined;
    this.announce(input, start.tokens.sessionId);
    return start.tokens;
  }

  /** What a session start writes and answers: the row, its ACCESS activity entry, the tokens. */
  private prepare(
    input: StartSessionInput,
    permissions: string[],
  ): { session: NewSession; activity: LoginActivityEntry; tokens: IssuedTokens } {
    const sid = input.sessionId ?? randomUUID();
    const refreshToken = randomToken();
    const refreshTtlS = input.refreshTtlSeconds ?? refreshTtl(input.client);
    const refreshExpiresAt = new Date(Date.now() + refreshTtlS * 1000);
    const access = this.accessTokens.sign(
      {
        sub: input.userId,
        tid: input.tenantId,
        cid: input.client.clientId,
        sid,
        permissions,
        scope: input.scope,
        extra: input.extraClaims,
      },
      input.accessTtlSeconds ?? accessTtl(input.client),
    );
    return {
      session: {
        id: sid,
        userId: input.userId,
        tenantId: input.tenantId,
        clientId: input.client.id,
        authMethod: input.authMethod,
        deviceInfo: input.ctx.deviceId,
        userAgent: input.ctx.userAgent,
        ipAddressEnc: this.box.encrypt(input.ctx.ip, sealedAt('session', 'ip_address_enc', sid)),
        expiresAt: refreshExpiresAt,
        accessExpiresAt: access.expiresAt,
        refreshHash: sha256(refreshToken),
        face: input.face ?? 'auth',
        scope: input.scope || null,
      },
      activity: activityEntry(
        'ACCESS',
        input.userId,
        input.tenantId,
        input.authMethod,
        access.claims,
        input.ctx,
      ),
      tokens: {
        accessToken: access.token,
        refreshToken,
        expires: access.expiresAt.getTime(),
        accessTokenExpiresAt: access.expiresAt,
        refreshTokenExpiresAt: refreshExpiresAt,
        sessionId: sid,
        claims: access.claims,
      },
    };
  }

  private announce(input: StartSessionInput, sessionId: string): void {
    emitSessionEvent(this.events, SESSION_STARTED, {
      sessionId,
      userId: input.userId,
      tenantId: input.tenantId,
      clientId: input.client.clientId,
      authMethod: input.authMethod,
    });
  }

  /** Rotates a refresh token with reuse detection: see SessionRefreshService.refresh. */
  refresh(refreshToken: string, options: RefreshOptions): Promise<IssuedTokens> {
    return this.refresher.refresh(refreshToken, options);
  }

  /** A new access token without rotating the server-held refresh token: see SessionRefreshService. */
  issueAccessToken(
    refreshToken: string,
    options: { authMethod: string; tenantId?: string; ctx: RequestContext; accessTtlSeconds?: number },
  ): Promise<{ accessToken: string; accessTokenExpiresAt: Date; sessionId: string; claims: AccessClaims }> {
    return this.refresher.issueAccessToken(refreshToken, options);
  }

  /** The session a refresh token (current or already rotated) belongs to, if it is still live. */
  findLiveSessionByRefreshToken(refreshToken: string): Promise<{ id: string; userId: string } | undefined> {
    return findUnrevokedSessionOfRefresh(this.db, sha256(refreshToken));
  }

  /** A live (not revoked, not expired) session by id, with the public client_id it belongs to. */
  async findLiveSession(sessionId: string): Promise<LiveSessionRef | undefined> {
    const row = await liveSessionById(this.db, sessionId);
    return (
      row && {
        id: row.id,
        userId: row.user_id,
        tenantId: row.tenant_id,
        clientId: row.client_id,
        authMethod: row.auth_method,
        face: row.face,
      }
    );
  }

  /** The live sessions of a user, newest first (a user's own token list); the IP decrypted. */
  async listLiveForUser(userId: string): Promise<LiveSession[]> {
    const found = await liveSessionsOfUser(this.db, userId);
    return found.map((r) => ({
      id: r.id,
      clientId: r.client_id,
      authMethod: r.auth_method,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      expiresAt: r.expires_at,
      userAgent: r.user_agent,
      // Null when it does not open here: sealed under a key no longer configured, or moved from another row.
      ipAddress: r.ip_address_enc
        ? this.box.decryptOrNull(r.ip_address_enc, sealedAt('session', 'ip_address_enc', r.id))
        : null,
    }));
  }

  /**
   * Ends one session: its refresh tokens and every access token it issued stop working on every
   * instance; a LOGOUT activity row is written. `accessToken` (the caller's) is revoked by jti too.
   */
  end(
    sessionId: string,
    options: { reason: string; ctx: RequestContext; accessToken?: { jti: string; exp: number } },
  ): Promise<boolean> {
    return this.endings.end(sessionId, options);
  }

  /** Ends the live session of a server-held refresh token: see SessionEndingsService. */
  endByRefreshToken(
    refreshToken: string,
    scope: { authMethod: string; tenantId: string },
    options: { reason: string; ctx: RequestContext },
  ): Promise<boolean> {
    return this.endings.endByRefreshToken(refreshToken, scope, options);
  }

  /** Revokes one access token of a session begun with `scope`: see SessionEndingsService. */
  revokeAccessTokenOf(
    claims: { jti: string; sid: string; exp: number },
    scope: { authMethod: string; tenantId: string },
  ): Promise<boolean> {
    return this.endings.revokeAccessTokenOf(claims, scope);
  }

  /** `endAllForUserIn` in a transaction of its own. */
  endAllForUser(userId: string, options: EndOptions & { tenantId?: string }): Promise<number> {
    return this.endings.endWhere({ userId, tenantId: options.tenantId }, options);
  }

  /**
   * Ends, in the caller's transaction, every live session of a user except `exceptSessionId` (e.g.
   * after a password change). With `tenantId` only the sessions currently in that tenant end (a
   * member locked in one tenant stays logged in to the others).
   */
  endAllForUserIn(
    tx: Queryable,
    userId: string,
    options: EndOptions & { tenantId?: string },
  ): Promise<number> {
    return this.endings.endWhereIn(tx, { userId, tenantId: options.tenantId }, options);
  }

  /** `endWhereIn` in a transaction of its own. */
  endWhere(filter: EndFilter, options: EndOptions): Promise<number> {
    return this.endings.endWhere(filter, options);
  }

  /**
   * Ends, in the caller's transaction, every live session matching all given fields (a user, a
   * tenant, a client), e.g. before a client or tenant is deleted, so its members' access tokens
   * stop at once on every instance.
   */
  endWhereIn(tx: Queryable, filter: EndFilter, options: EndOptions): Promise<number> {
    return this.endings.endWhereIn(tx, filter, options);
  }
}
