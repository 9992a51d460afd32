import { Injectable } from '@nestjs/common';
import { AppError, Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { AttemptLimiter, hasCode, IpOnly } from '../common/rate-limit/attempt-limiter.js';
import { Db } from '../database/db.js';
import { AccessTokensService } from '../tokens/access-tokens.service.js';
import { SessionsService } from '../tokens/sessions.service.js';
import type { MemberAccessTokenDto, MemberTokensDto } from './dto/headless-member.dto.js';
import { findMember } from './headless-member.queries.js';
import { HeadlessPrincipal, HeadlessTokensService } from './headless-tokens.service.js';

export const HEADLESS_AUTH_METHOD = 'HEADLESS';
/** API.md section 9: member access tokens live 1 hour, member refresh tokens 30 days. */
export const MEMBER_ACCESS_TTL_S = 3600;
export const MEMBER_REFRESH_TTL_S = 30 * 24 * 3600;

/** Which member `auth_token` asks for: exactly one key. */
export type MemberKey = { communityMemberId: number } | { email: string } | { ssoId: string };

const invalidAccessToken = () =>
  new AppError(401, 'INVALID_TOKEN', 'Invalid, expired or revoked member access token');

/**
 * Member tokens for servers (API.md section 9, seed 000). A headless token sees only its tenant's
 * members; tokens come from the token engine (`authMethod` HEADLESS, 1 h / 30 days), and the member
 * refresh token is never rotated: it is held by the server and stays good until it expires or is
 * revoked. Only sessions begun here can be refreshed or revoked here.
 */
@Injectable()
export class HeadlessMemberService {
  constructor(
    private readonly db: Db,
    private readonly headlessTokens: HeadlessTokensService,
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokensService,
    private readonly limiter: AttemptLimiter,
  ) {}

  async issue(principal: HeadlessPrincipal, key: MemberKey, ctx: RequestContext): Promise<MemberTokensDto> {
    const member = await this.findMember(principal.tenantId, key);
    if (!member) throw Errors.notFound('No such member in this community');
    const client = await this.headlessTokens.clientFor(principal);
    const tokens = await this.sessions.start({
      userId: member.userId,
      tenantId: principal.tenantId,
      client,
      authMethod: HEADLESS_AUTH_METHOD,
      // Minted by a server, not by the user's own sign-in: the session never leaves this tenant.
      face: 'headless',
      ctx,
      accessTtlSeconds: MEMBER_ACCESS_TTL_S,
      refreshTtlSeconds: MEMBER_REFRESH_TTL_S,
    });
    return {
      access_token: tokens.accessToken,
      access_token_expires_at: tokens.accessTokenExpiresAt.toISOString(),
      refresh_token: tokens.refreshToken,
      refresh_token_expires_at: tokens.refreshTokenExpiresAt.toISOString(),
      community_member_id: member.memberId,
      community_id: member.communityId,
    };
  }

  async refresh(
    principal: HeadlessPrincipal,
    refreshToken: string,
    ctx: RequestContext,
  ): Promise<MemberAccessTokenDto> {
    const issued = await this.countFailures(ctx, () =>
      this.sessions.issueAccessToken(refreshToken, {
        authMethod: HEADLESS_AUTH_METHOD,
        tenantId: principal.tenantId,
        ctx,
        accessTtlSeconds: MEMBER_ACCESS_TTL_S,
      }),
    );
    return {
      access_token: issued.accessToken,
      access_token_expires_at: issued.accessTokenExpiresAt.toISOString(),
    };
  }

  /** Stops one member access token on every instance; its session and refresh token stay. */
  async revokeAccessToken(
    principal: HeadlessPrincipal,
    accessToken: string,
    ctx: RequestContext,
  ): Promise<void> {
    await this.countFailures(ctx, async () => {
      const claims = await this.accessTokens.verify(accessToken).catch(() => undefined);
      if (!claims || typeof claims.sid !== 'string') throw invalidAccessToken();
      const scope = { authMethod: HEADLESS_AUTH_METHOD, tenantId: principal.tenantId };
      if (!(await this.sessions.revokeAccessTokenOf(claims, scope))) throw invalidAccessToken();
    });
  }

  /** Ends the member session of a refresh token: it and every access token of the session stop. */
  async revokeRefreshToken(
    principal: HeadlessPrincipal,
    refreshToken: string,
    ctx: RequestContext,
  ): Promise<void> {
    await this.countFailures(ctx, async () => {
      const ended = await this.sessions.endByRefreshToken(
        refreshToken,
        { authMethod: HEADLESS_AUTH_METHOD, tenantId: principal.tenantId },
        { reason: 'headless_revoke', ctx },
      );
      if (!ended) throw Errors.invalidRefreshToken();
    });
  }

  /** The member of `tenantId` a key names (a read-only lookup over the identity tables). */
  private findMember(
    tenantId: string,
    key: MemberKey,
  ): Promise<{ userId: string; memberId: number; communityId: number } | undefined> {
    if ('communityMemberId' in key) {
      return findMember(this.db, tenantId, 'communityMemberId', String(key.communityMemberId));
    }
    return 'email' in key
      ? findMember(this.db, tenantId, 'email', key.email)
      : findMember(this.db, tenantId, 'ssoId', key.ssoId);
  }

  /** Bad member tokens count against the IP (like bad refresh tokens), so they cannot be guessed. */
  private countFailures<T>(ctx: RequestContext, work: () => Promise<T>): Promise<T> {
    return this.limiter.guard(IpOnly.token, ctx.ip, work, hasCode('INVALID_TOKEN', 'INVALID_REFRESH_TOKEN'));
  }
}
