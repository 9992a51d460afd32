import { Inject, Injectable } from '@nestjs/common';
import { randomToken, sha256 } from '../common/crypto/tokens.js';
import { Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { Db } from '../database/db.js';
import { AccessClaims, AccessTokensService } from './access-tokens.service.js';
import { activityEntry, LOGIN_ACTIVITY_RECORDER, LoginActivityRecorder } from './login-activity-recorder.js';
import { activeMemberPermissions } from './member-access.js';
import { findPresentedRefresh, findRefresh, rotateRefresh } from './refresh.queries.js';
import { SessionEndingsService } from './session-endings.service.js';
import { clientOfSession, lockSessionOfRefresh, touchSession } from './sessions.queries.js';
import { accessTtl, IssuedTokens, RefreshOptions, refreshTtl } from './tokens.types.js';

/**
 * Refresh-token rotation with reuse detection, and the server-held member refresh tokens that
 * issue access tokens without rotating. Reached through SessionsService, the token engine's entry.
 */
@Injectable()
export class SessionRefreshService {
  constructor(
    private readonly db: Db,
    private readonly accessTokens: AccessTokensService,
    private readonly endings: SessionEndingsService,
    @Inject(LOGIN_ACTIVITY_RECORDER) private readonly recorder: LoginActivityRecorder,
  ) {}

  /**
   * Rotates a refresh token: the presented one is spent and a new one issued in the same family.
   * Presenting a spent one revokes the whole family (RFC 9700 reuse detection) and answers 401
   * REFRESH_TOKEN_REUSED. With `tenantId` the new tokens are for that tenant (a tenant switch),
   * which only a session of the user's own sign-in may do (a `headless` one: 403 FORBIDDEN).
   * `requireUserId` binds the refresh token to a caller (switch-token's Bearer). `face` is the
   * route family asking (default `auth`); an `oauth2` session of a confidential client is
   * refreshed only by `oauth2`, whose route authenticated the client (else 401 INVALID_CLIENT).
   * `scope` decides the new access token's scope from the session's granted one (it throws to
   * refuse, which leaves the presented refresh token unspent); default: the granted scope.
   */
  async refresh(refreshToken: string, options: RefreshOptions): Promise<IssuedTokens> {
    const hash = sha256(refreshToken);
    // The hot path of every front end, in two round trips and one commit: read the token with
    // its session, client and the member's status and permissions in the target tenant; check
    // the rules here (a refusal writes nothing, so the presented token stays good); then one
    // statement spends it, issues the next, moves the session and writes the RELOGIN row.
    const presented = await findPresentedRefresh(this.db, hash, options.tenantId ?? null);
    if (!presented || presented.expired) throw Errors.invalidRefreshToken();
    if (presented.rotated) return this.refuseReuse(hash);
    const { session, client } = presented;
    if (!session || !client) throw Errors.invalidRefreshToken();
    if (options.requireUserId && options.requireUserId !== session.userId) throw Errors.invalidRefreshToken();
    // Trust boundaries (API.md section 12), before anything about the target membership is said.
    if (session.face === 'oauth2' && !client.isPublic && (options.face ?? 'auth') !== 'oauth2') {
      throw Errors.invalidClient();
    }
    if (
      session.face === 'headless' &&
      options.tenantId !== undefined &&
      options.tenantId !== session.tenantId
    ) {
      throw Errors.forbidden('A session begun with a headless member token stays in its tenant');
    }
    if (!presented.membershipStatus) throw Errors.notAMember();
    if (presented.membershipStatus !== 'ACTIVE') throw Errors.membershipStatus(presented.membershipStatus);
    const tenantId = options.tenantId ?? session.tenantId;
    const scope = options.scope ? options.scope(session.scope) : session.scope;
    const next = randomToken();
    const refreshExpiresAt = new Date(Date.now() + refreshTtl(client) * 1000);
    const access = this.accessTokens.sign(
      {
        sub: session.userId,
        tid: tenantId,
        cid: client.clientId,
        sid: session.id,
        permissions: presented.permissions,
        scope,
      },
      options.accessTtlSeconds ?? accessTtl(client),
    );
    const activity = activityEntry(
      'RELOGIN',
      session.userId,
      tenantId,
      session.authMethod,
      access.claims,
      options.ctx,
    );
    const rotated = await rotateRefresh(
      this.db,
      {
        presentedHash: hash,
        nextHash: sha256(next),
        tenantId,
        expiresAt: refreshExpiresAt,
        accessExpiresAt: access.expiresAt,
        deviceInfo: options.ctx.deviceId,
      },
      (source, firstParam) => this.recorder.step(activity, source, firstParam),
    );
    // Spent by a concurrent request between the read and the rotation (the token was presented
    // twice: reuse), or its session ended or it expired meanwhile; the signed token is dropped.
    if (!rotated) return this.refuseReuse(hash);
    return {
      accessToken: access.token,
      refreshToken: next,
      expires: access.expiresAt.getTime(),
      accessTokenExpiresAt: access.expiresAt,
      refreshTokenExpiresAt: refreshExpiresAt,
      sessionId: session.id,
      claims: access.claims,
    };
  }

  /**
   * A refresh token that is not current: when it was already spent, presenting it again revokes
   * its whole family (401 REFRESH_TOKEN_REUSED); otherwise it is just invalid.
   */
  private async refuseReuse(hash: Buffer): Promise<never> {
    const reused = await this.db.transaction(async (tx) => {
      const known = await findRefresh(tx, hash);
      if (!known?.rotatedAt) return false;
      await this.endings.revokeSession(tx, known.sessionId, 'refresh_token_reuse');
      return true;
    });
    throw reused ? Errors.refreshTokenReused() : Errors.invalidRefreshToken();
  }

  /**
   * A new access token for the session of `refreshToken` WITHOUT rotating it: the server-held
   * member refresh tokens of API.md section 9, the one exception to rotation. Only a live session
   * begun with `authMethod` (and, with `tenantId`, in that tenant) qualifies; anything else is 401
   * INVALID_REFRESH_TOKEN. Membership and role are read again, and a RELOGIN activity row is
   * written in the same transaction.
   */
  async issueAccessToken(
    refreshToken: string,
    options: { authMethod: string; tenantId?: string; ctx: RequestContext; accessTtlSeconds?: number },
  ): Promise<{ accessToken: string; accessTokenExpiresAt: Date; sessionId: string; claims: AccessClaims }> {
    const issued = await this.db.transaction(async (tx) => {
      const session = await lockSessionOfRefresh(
        tx,
        sha256(refreshToken),
        options.authMethod,
        options.tenantId ?? null,
      );
      if (!session) return undefined;
      const client = await clientOfSession(tx, session.clientId);
      if (!client) return undefined;
      const permissions = await activeMemberPermissions(tx, session.userId, session.tenantId);
      const access = this.accessTokens.sign(
        {
          sub: session.userId,
          tid: session.tenantId,
          cid: client.clientId,
          sid: session.id,
          permissions,
          scope: session.scope,
        },
        options.accessTtlSeconds ?? accessTtl(client),
      );
      await touchSession(tx, session.id, access.expiresAt, options.ctx.deviceId);
      await this.recorder.record(
        tx,
        activityEntry(
          'RELOGIN',
          session.userId,
          session.tenantId,
          session.authMethod,
          access.claims,
          options.ctx,
        ),
      );
      return {
        accessToken: access.token,
        accessTokenExpiresAt: access.expiresAt,
        sessionId: session.id,
        claims: access.claims,
      };
    });
    if (!issued) throw Errors.invalidRefreshToken();
    return issued;
  }
}
