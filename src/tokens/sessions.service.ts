import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { SecretBox, sealedAt } from '../common/crypto/secret-box.js';
import { randomToken, sha256 } from '../common/crypto/tokens.js';
import { Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { firstRow, rows } from '../database/sql.js';
import { queryableOf } from '../database/typeorm-bridge.js';
import { deleteHostedSessionsOfUser } from './hosted-session.queries.js';
import type { AuthClient } from '../identity/identity.types.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { AccessClaims, AccessTokensService } from './access-tokens.service.js';
import {
  LOGIN_ACTIVITY_RECORDER,
  LoginActivityRecorder,
  SESSION_ENDED,
  SESSION_STARTED,
  SessionEvent,
} from './login-activity-recorder.js';
import { RevocationService } from './revocation.service.js';

export const DEFAULT_ACCESS_TTL_S = 3600;

/**
 * The route family that issued a session (API.md section 12), stored on it:
 * - `auth`: the user's own sign-in on the routes of sections 2-8 (password, codes, authenticator,
 *   social, SAML, SSO tokens of such a session). Refreshed on those routes; may switch tenant.
 * - `oauth2`: issued at `/oauth2/token`. For a confidential client it is refreshed only there,
 *   with the client's authentication; the other refresh routes answer 401 INVALID_CLIENT.
 * - `headless`: minted by a server with a headless member token (section 9). It stays in its
 *   tenant: a tenant switch answers 403 FORBIDDEN.
 */
export type SessionFace = 'auth' | 'oauth2' | 'headless';
export const DEFAULT_REFRESH_TTL_S = 30 * 24 * 3600;

/** What every login path gets back from the token engine. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** Access-token expiry, epoch milliseconds (the `expires` of TokenResponse). */
  expires: number;
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date;
  sessionId: string;
  claims: AccessClaims;
}

export interface StartSessionInput {
  userId: string;
  tenantId: string;
  client: AuthClient;
  authMethod: string;
  ctx: RequestContext;
  /** Where the session was issued (default `auth`: a sign-in on the routes of sections 2-8). */
  face?: SessionFace;
  /** The id the session gets (default: a new one), for a caller that records it in the same transaction. */
  sessionId?: string;
  /** Overrides the client's lifetimes (e.g. 14,400 s on /oauth2/token, 1 h for headless member tokens). */
  accessTtlSeconds?: number;
  refreshTtlSeconds?: number;
  /** Extra access-token claims (e.g. `typ: "visitor"`). */
  extraClaims?: Record<string, unknown>;
  /** The scopes granted at /oauth2/authorize: kept on the session, carried by its access tokens. */
  scope?: string | null;
}

/** A live session as its user sees it in their token list. */
export interface LiveSession {
  id: string;
  /** The public client_id. */
  clientId: string;
  authMethod: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ipAddress: string | null;
}

interface SessionRow {
  id: string;
  user_id: string;
  tenant_id: string;
  client_id: string;
  auth_method: string;
  face: SessionFace;
  expires_at: Date;
  access_expires_at: Date;
  revoked_at: Date | null;
  device_info: string | null;
  scope: string | null;
}

/** What one refresh reads in its single query (nulls: the session, client or membership is gone). */
interface RefreshRow {
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

function refreshTtl(client: AuthClient): number {
  return client.refreshTokenExpiration ?? DEFAULT_REFRESH_TTL_S;
}

function accessTtl(client: AuthClient): number {
  return client.accessTokenExpiration ?? DEFAULT_ACCESS_TTL_S;
}

/**
 * The one entry point of the token engine. `start` is called by every login path; it creates the
 * session (refresh-token family), signs the access token and writes the login-activity row in one
 * transaction. `refresh` rotates with reuse detection; `end` revokes a family and its access tokens.
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accessTokens: AccessTokensService,
    private readonly revocations: RevocationService,
    private readonly memberships: MembershipsService,
    private readonly box: SecretBox,
    private readonly events: EventEmitter2,
    @Inject(LOGIN_ACTIVITY_RECORDER) private readonly recorder: LoginActivityRecorder,
  ) {}

  private inTransaction<T>(
    manager: EntityManager | undefined,
    work: (m: EntityManager) => Promise<T>,
  ): Promise<T> {
    return manager ? work(manager) : this.dataSource.transaction(work);
  }

  /** Starts a session for an ACTIVE member of `tenantId` (403 NOT_A_MEMBER / status otherwise). */
  async start(input: StartSessionInput, manager?: EntityManager): Promise<IssuedTokens> {
    const { permissions } = manager
      ? await this.memberships.requireActiveIn(queryableOf(manager), input.userId, input.tenantId)
      : await this.memberships.requireActive(input.userId, input.tenantId);
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
    await this.inTransaction(manager, async (m) => {
      // The session and its first refresh token in one statement (one round trip fewer per login).
      await m.query(
        `WITH started AS (
           INSERT INTO session (id, user_id, tenant_id, client_id, auth_method, device_info, user_agent,
                                ip_address_enc, expires_at, access_expires_at, face, scope)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $13) RETURNING id)
         INSERT INTO refresh_token (session_id, token_hash, expires_at) SELECT id, $11, $9 FROM started`,
        [
          sid,
          input.userId,
          input.tenantId,
          input.client.id,
          input.authMethod,
          input.ctx.deviceId,
          input.ctx.userAgent,
          this.box.encrypt(input.ctx.ip, sealedAt('session', 'ip_address_enc', sid)),
          refreshExpiresAt,
          access.expiresAt,
          sha256(refreshToken),
          input.face ?? 'auth',
          input.scope || null,
        ],
      );
      await this.recorder.record(m, {
        actor: input.userId,
        tenantId: input.tenantId,
        loginType: 'ACCESS',
        authMethod: input.authMethod,
        tokenPayload: access.claims,
        deviceInfo: input.ctx.deviceId,
        ipAddress: input.ctx.ip,
        userAgent: input.ctx.userAgent,
      });
    });
    this.emit(SESSION_STARTED, {
      sessionId: sid,
      userId: input.userId,
      tenantId: input.tenantId,
      clientId: input.client.clientId,
      authMethod: input.authMethod,
    });
    return {
      accessToken: access.token,
      refreshToken,
      expires: access.expiresAt.getTime(),
      accessTokenExpiresAt: access.expiresAt,
      refreshTokenExpiresAt: refreshExpiresAt,
      sessionId: sid,
      claims: access.claims,
    };
  }

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
  async refresh(
    refreshToken: string,
    options: {
      tenantId?: string;
      ctx: RequestContext;
      requireUserId?: string;
      accessTtlSeconds?: number;
      face?: SessionFace;
      scope?: (granted: string | null) => string | null;
    },
  ): Promise<IssuedTokens> {
    const hash = sha256(refreshToken);
    const outcome = await this.dataSource.transaction(async (m) => {
      // One round trip spends the token and reads what the new pair needs: the session, its
      // client, and the member's status and permissions in the target tenant (read again on every
      // refresh, so a locked member or a changed role takes effect here). The hot path of every
      // front end: keep it to three statements inside BEGIN/COMMIT.
      const row = await firstRow<RefreshRow>(
        m,
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
        [hash, options.tenantId ?? null],
      );
      if (!row) {
        const known = await firstRow<{ session_id: string; rotated_at: Date | null }>(
          m,
          `SELECT session_id, rotated_at FROM refresh_token WHERE token_hash = $1`,
          [hash],
        );
        if (known?.rotated_at) {
          await this.revokeSession(m, known.session_id, 'refresh_token_reuse');
          return { kind: 'reused' as const, sessionId: known.session_id };
        }
        return { kind: 'invalid' as const };
      }
      // Refusals below throw, so the transaction rolls back and the presented token stays good.
      if (!row.id || !row.client_uuid || !row.user_id || !row.tenant_id) throw Errors.invalidRefreshToken();
      if (options.requireUserId && options.requireUserId !== row.user_id) throw Errors.invalidRefreshToken();
      // Trust boundaries (API.md section 12), before anything about the target membership is said.
      if (row.face === 'oauth2' && !row.client_is_public && (options.face ?? 'auth') !== 'oauth2') {
        throw Errors.invalidClient();
      }
      if (row.face === 'headless' && options.tenantId !== undefined && options.tenantId !== row.tenant_id) {
        throw Errors.forbidden('A session begun with a headless member token stays in its tenant');
      }
      if (!row.membership_status) throw Errors.notAMember();
      if (row.membership_status !== 'ACTIVE') throw Errors.membershipStatus(row.membership_status);
      const session = { id: row.id, user_id: row.user_id, auth_method: row.auth_method! };
      const client = {
        clientId: row.public_client_id!,
        accessTokenExpiration: row.access_token_expiration,
        refreshTokenExpiration: row.refresh_token_expiration,
      } as AuthClient;
      const tenantId = options.tenantId ?? row.tenant_id;
      const permissions = row.permissions;
      const scope = options.scope ? options.scope(row.scope) : row.scope;
      const next = randomToken();
      const refreshExpiresAt = new Date(Date.now() + refreshTtl(client) * 1000);
      const access = this.accessTokens.sign(
        { sub: session.user_id, tid: tenantId, cid: client.clientId, sid: session.id, permissions, scope },
        options.accessTtlSeconds ?? accessTtl(client),
      );
      await m.query(
        `WITH issued AS (INSERT INTO refresh_token (session_id, token_hash, expires_at) VALUES ($1, $6, $3))
         UPDATE session SET tenant_id = $2, last_used_at = now(), expires_at = $3,
                access_expires_at = greatest(access_expires_at, $4), device_info = coalesce($5, device_info)
         WHERE id = $1`,
        [session.id, tenantId, refreshExpiresAt, access.expiresAt, options.ctx.deviceId, sha256(next)],
      );
      await this.recorder.record(m, {
        actor: session.user_id,
        tenantId,
        loginType: 'RELOGIN',
        authMethod: session.auth_method,
        tokenPayload: access.claims,
        deviceInfo: options.ctx.deviceId,
        ipAddress: options.ctx.ip,
        userAgent: options.ctx.userAgent,
      });
      const tokens: IssuedTokens = {
        accessToken: access.token,
        refreshToken: next,
        expires: access.expiresAt.getTime(),
        accessTokenExpiresAt: access.expiresAt,
        refreshTokenExpiresAt: refreshExpiresAt,
        sessionId: session.id,
        claims: access.claims,
      };
      return { kind: 'ok' as const, tokens };
    });
    if (outcome.kind === 'reused') throw Errors.refreshTokenReused();
    if (outcome.kind === 'invalid') throw Errors.invalidRefreshToken();
    return outcome.tokens;
  }

  /** The session a refresh token (current or already rotated) belongs to, if it is still live. */
  async findLiveSessionByRefreshToken(
    refreshToken: string,
  ): Promise<{ id: string; userId: string } | undefined> {
    const row = await firstRow<{ id: string; user_id: string }>(
      this.dataSource.manager,
      `SELECT s.id, s.user_id FROM refresh_token r JOIN session s ON s.id = r.session_id
       WHERE r.token_hash = $1 AND s.revoked_at IS NULL`,
      [sha256(refreshToken)],
    );
    return row && { id: row.id, userId: row.user_id };
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
    const issued = await this.dataSource.transaction(async (m) => {
      const session = await firstRow<SessionRow>(
        m,
        `SELECT s.* FROM refresh_token r JOIN session s ON s.id = r.session_id
         WHERE r.token_hash = $1 AND r.rotated_at IS NULL AND r.expires_at > now()
           AND s.revoked_at IS NULL AND s.expires_at > now() AND s.auth_method = $2
           AND ($3::uuid IS NULL OR s.tenant_id = $3::uuid)
         FOR UPDATE OF s`,
        [sha256(refreshToken), options.authMethod, options.tenantId ?? null],
      );
      if (!session) return undefined;
      const client = await firstRow<AuthClient>(
        m,
        `SELECT id, client_id AS "clientId", access_token_expiration AS "accessTokenExpiration"
         FROM auth_client WHERE id = $1`,
        [session.client_id],
      );
      if (!client) return undefined;
      const { permissions } = await this.memberships.requireActiveIn(
        queryableOf(m),
        session.user_id,
        session.tenant_id,
      );
      const access = this.accessTokens.sign(
        {
          sub: session.user_id,
          tid: session.tenant_id,
          cid: client.clientId,
          sid: session.id,
          permissions,
          scope: session.scope,
        },
        options.accessTtlSeconds ?? accessTtl(client),
      );
      await m.query(
        `UPDATE session SET last_used_at = now(), access_expires_at = greatest(access_expires_at, $2),
                device_info = coalesce($3, device_info)
         WHERE id = $1`,
        [session.id, access.expiresAt, options.ctx.deviceId],
      );
      await this.recorder.record(m, {
        actor: session.user_id,
        tenantId: session.tenant_id,
        loginType: 'RELOGIN',
        authMethod: session.auth_method,
        tokenPayload: access.claims,
        deviceInfo: options.ctx.deviceId,
        ipAddress: options.ctx.ip,
        userAgent: options.ctx.userAgent,
      });
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
    const session = await firstRow<{ id: string }>(
      this.dataSource.manager,
      `SELECT s.id FROM refresh_token r JOIN session s ON s.id = r.session_id
       WHERE r.token_hash = $1 AND r.rotated_at IS NULL AND r.expires_at > now()
         AND s.revoked_at IS NULL AND s.expires_at > now() AND s.auth_method = $2 AND s.tenant_id = $3`,
      [sha256(refreshToken), scope.authMethod, scope.tenantId],
    );
    return session ? this.end(session.id, options) : false;
  }

  /**
   * Revokes one verified access token (by jti, on every instance) when its session began with
   * `scope.authMethod` in `scope.tenantId`; the session and its refresh token stay. Answers false
   * when the token belongs to no such live session.
   */
  async revokeAccessTokenOf(
    claims: { jti: string; sid: string; exp: number },
    scope: { authMethod: string; tenantId: string },
  ): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const session = await firstRow<{ id: string }>(
        m,
        `SELECT id FROM session
         WHERE id = $1 AND revoked_at IS NULL AND auth_method = $2 AND tenant_id = $3`,
        [claims.sid, scope.authMethod, scope.tenantId],
      );
      if (!session) return false;
      await this.revocations.revokeAccessToken(m, claims.jti, new Date(claims.exp * 1000));
      return true;
    });
  }

  /** A live (not revoked, not expired) session by id, with the public client_id it belongs to. */
  async findLiveSession(sessionId: string): Promise<
    | {
        id: string;
        userId: string;
        tenantId: string;
        clientId: string;
        authMethod: string;
        face: SessionFace;
      }
    | undefined
  > {
    const row = await firstRow<{
      id: string;
      user_id: string;
      tenant_id: string;
      client_id: string;
      auth_method: string;
      face: SessionFace;
    }>(
      this.dataSource.manager,
      `SELECT s.id, s.user_id, s.tenant_id, a.client_id, s.auth_method, s.face
       FROM session s JOIN auth_client a ON a.id = s.client_id
       WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [sessionId],
    );
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
    const found = await rows<{
      id: string;
      client_id: string;
      auth_method: string;
      created_at: Date;
      last_used_at: Date;
      expires_at: Date;
      user_agent: string | null;
      ip_address_enc: string | null;
    }>(
      this.dataSource.manager,
      `SELECT s.id, a.client_id, s.auth_method, s.created_at, s.last_used_at, s.expires_at, s.user_agent,
              s.ip_address_enc
       FROM session s JOIN auth_client a ON a.id = s.client_id
       WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
       ORDER BY s.created_at DESC`,
      [userId],
    );
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
  async end(
    sessionId: string,
    options: { reason: string; ctx: RequestContext; accessToken?: { jti: string; exp: number } },
  ): Promise<boolean> {
    const ended = await this.dataSource.transaction(async (m) => {
      const session = await this.revokeSession(m, sessionId, options.reason);
      if (options.accessToken) {
        await this.revocations.revokeAccessToken(
          m,
          options.accessToken.jti,
          new Date(options.accessToken.exp * 1000),
        );
      }
      if (session) {
        await this.recorder.record(m, {
          actor: session.user_id,
          tenantId: session.tenant_id,
          loginType: 'LOGOUT',
          authMethod: session.auth_method,
          tokenPayload: null,
          deviceInfo: options.ctx.deviceId,
          ipAddress: options.ctx.ip,
          userAgent: options.ctx.userAgent,
        });
      }
      return session;
    });
    return Boolean(ended);
  }

  /**
   * Ends every live session of a user, except `exceptSessionId` (e.g. after a password change).
   * With `tenantId` only the sessions currently in that tenant end (a member locked in one tenant
   * stays logged in to the others).
   */
  endAllForUser(
    userId: string,
    options: { reason: string; exceptSessionId?: string; tenantId?: string },
    manager?: EntityManager,
  ): Promise<number> {
    return this.endWhere({ userId, tenantId: options.tenantId }, options, manager);
  }

  /**
   * Ends every live session matching all given fields (a user, a tenant, a client), e.g. before a
   * client or tenant is deleted, so its members' access tokens stop at once on every instance.
   */
  async endWhere(
    filter: { userId?: string; tenantId?: string; clientId?: string },
    options: { reason: string; exceptSessionId?: string },
    manager?: EntityManager,
  ): Promise<number> {
    return this.inTransaction(manager, async (m) => {
      const ids = await rows<{ id: string }>(
        m,
        `SELECT id FROM session WHERE revoked_at IS NULL
           AND ($1::uuid IS NULL OR user_id = $1::uuid)
           AND ($2::uuid IS NULL OR tenant_id = $2::uuid)
           AND ($3::uuid IS NULL OR client_id = $3::uuid)
           AND ($4::uuid IS NULL OR id <> $4::uuid)`,
        [
          filter.userId ?? null,
          filter.tenantId ?? null,
          filter.clientId ?? null,
          options.exceptSessionId ?? null,
        ],
      );
      for (const { id } of ids) await this.revokeSession(m, id, options.reason);
      // All of a user's sessions end: the browsers signed in at the hosted page are signed out too.
      if (filter.userId && !filter.clientId) {
        await deleteHostedSessionsOfUser(queryableOf(m), filter.userId, filter.tenantId ?? null);
      }
      return ids.length;
    });
  }

  /** Marks a session revoked and announces it; answers the row, or undefined when it was already over. */
  private async revokeSession(
    m: EntityManager,
    sessionId: string,
    reason: string,
  ): Promise<SessionRow | undefined> {
    const session = await firstRow<SessionRow>(
      m,
      `UPDATE session SET revoked_at = now(), revoked_reason = $2
       WHERE id = $1 AND revoked_at IS NULL RETURNING *`,
      [sessionId, reason],
    );
    if (!session) return undefined;
    await this.revocations.announceSessionRevoked(m, session.id, session.access_expires_at);
    this.emit(SESSION_ENDED, {
      sessionId: session.id,
      userId: session.user_id,
      tenantId: session.tenant_id,
      clientId: session.client_id,
      authMethod: session.auth_method,
      reason,
    });
    return session;
  }

  private emit(event: string, payload: SessionEvent): void {
    // Reactions are in-process and best effort; they never fail the request that caused them.
    setImmediate(() => {
      try {
        this.events.emit(event, payload);
      } catch {
        /* a listener's failure is its own */
      }
    });
  }
}
