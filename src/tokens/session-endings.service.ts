import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { sha256 } from '../common/crypto/tokens.js';
import type { RequestContext } from '../common/http/request-context.js';
import { Db, Queryable } from '../database/db.js';
import { deleteHostedSessionsOfUser } from './hosted-session.queries.js';
import {
  activityEntry,
  emitSessionEvent,
  LOGIN_ACTIVITY_RECORDER,
  LoginActivityRecorder,
  SESSION_ENDED,
} from './login-activity-recorder.js';
import { RevocationService } from './revocation.service.js';
import {
  findSessionIdOfRefresh,
  isUnrevokedSessionIn,
  markSessionRevoked,
  unrevokedSessionIds,
} from './sessions.queries.js';
import type { Session } from './tokens.types.js';

/** Which sessions end: every given field must match. */
export interface EndFilter {
  userId?: string;
  tenantId?: string;
  clientId?: string;
}

/** Why they end (recorded on each session), and the one that stays (the caller's own, say). */
export interface EndOptions {
  reason: string;
  exceptSessionId?: string;
}

/**
 * How sessions end: a revoked session's refresh tokens and every access token it issued stop on
 * every instance (RevocationService's pg_notify, delivered at commit). Reached through
 * SessionsService, the token engine's entry.
 */
@Injectable()
export class SessionEndingsService {
  constructor(
    private readonly db: Db,
    private readonly revocations: RevocationService,
    private readonly events: EventEmitter2,
    @Inject(LOGIN_ACTIVITY_RECORDER) private readonly recorder: LoginActivityRecorder,
  ) {}

  /**
   * Ends one session: its refresh tokens and every access token it issued stop working on every
   * instance; a LOGOUT activity row is written. `accessToken` (the caller's) is revoked by jti too.
   */
  async end(
    sessionId: string,
    options: { reason: string; ctx: RequestContext; accessToken?: { jti: string; exp: number } },
  ): Promise<boolean> {
    const ended = await this.db.transaction(async (tx) => {
      const session = await this.revokeSession(tx, sessionId, options.reason);
      if (options.accessToken) {
        await this.revocations.revokeAccessToken(
          tx,
          options.accessToken.jti,
          new Date(options.accessToken.exp * 1000),
        );
      }
      if (session) {
        await this.recorder.record(
          tx,
          activityEntry('LOGOUT', session.userId, session.tenantId, session.authMethod, null, options.ctx),
        );
      }
      return session;
    });
    return Boolean(ended);
  }

  /**
   * Ends the live session of an unrotated, unexpired `refreshToken` when it began with
   * `scope.authMethod` in `scope.tenantId` (the headless revoke route of API.md section 9): like
   * `end`, its refresh and access tokens stop everywhere and a LOGOUT row is written. Answers false
   * when no such session exists (unknown, spent, expired, foreign or already ended).
   */
  async endByRefreshToken(
    refreshToken: string,
    scope: { authMethod: string; tenantId: string },
    options: { reason: string; ctx: RequestContext },
  ): Promise<boolean> {
    const id = await findSessionIdOfRefresh(this.db, sha256(refreshToken), scope.authMethod, scope.tenantId);
    return id ? this.end(id, options) : false;
  }

  /**
   * Revokes one verified access token (by jti, on every instance) when its session began with
   * `scope.authMethod` in `scope.tenantId`; the session and its refresh token stay. Answers false
   * when the token belongs to no such live session.
   */
  revokeAccessTokenOf(
    claims: { jti: string; sid: string; exp: number },
    scope: { authMethod: string; tenantId: string },
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (!(await isUnrevokedSessionIn(tx, claims.sid, scope.authMethod, scope.tenantId))) return false;
      await this.revocations.revokeAccessToken(tx, claims.jti, new Date(claims.exp * 1000));
      return true;
    });
  }

  /** `endWhereIn` in a transaction of its own. */
  endWhere(filter: EndFilter, options: EndOptions): Promise<number> {
    return this.db.transaction((tx) => this.endWhereIn(tx, filter, options));
  }

  /**
   * Ends, in the caller's transaction, every live session matching all given fields (a user, a
   * tenant, a client), e.g. before a client or tenant is deleted, so its members' access tokens
   * stop at once on every instance. When all of a user's sessions end, the browsers signed in at
   * the hosted page are signed out too.
   */
  async endWhereIn(tx: Queryable, filter: EndFilter, options: EndOptions): Promise<number> {
    const ids = await unrevokedSessionIds(tx, {
      userId: filter.userId ?? null,
      tenantId: filter.tenantId ?? null,
      clientId: filter.clientId ?? null,
      exceptId: options.exceptSessionId ?? null,
    });
    for (const id of ids) await this.revokeSession(tx, id, options.reason);
    if (filter.userId && !filter.clientId) {
      await deleteHostedSessionsOfUser(tx, filter.userId, filter.tenantId ?? null);
    }
    return ids.length;
  }

  /**
   * Marks a session revoked in the caller's transaction and announces it; answers it, or
   * undefined when it was already over.
   */
  async revokeSession(tx: Queryable, sessionId: string, reason: string): Promise<Session | undefined> {
    const session = await markSessionRevoked(tx, sessionId, reason);
    if (!session) return undefined;
    await this.revocations.announceSessionRevoked(tx, session.id, session.accessExpiresAt);
    emitSessionEvent(this.events, SESSION_ENDED, {
      sessionId: session.id,
      userId: session.userId,
      tenantId: session.tenantId,
      clientId: session.clientId,
      authMethod: session.authMethod,
      reason,
    });
    return session;
  }
}
