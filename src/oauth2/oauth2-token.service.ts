import { Injectable } from '@nestjs/common';
import { sha256 } from '../common/crypto/tokens.js';
import type { RequestContext } from '../common/http/request-context.js';
import { AttemptLimiter, BAD_TOKEN_CODES, hasCode, IpOnly } from '../common/rate-limit/attempt-limiter.js';
import { Db } from '../database/db.js';
import { ClientsService } from '../identity/clients.service.js';
import type { AuthClient } from '../identity/identity.types.js';
import { UsersService } from '../identity/users.service.js';
import { AccessTokensService } from '../tokens/access-tokens.service.js';
import { AuthCodesService } from '../tokens/auth-codes.service.js';
import { decodeJwt } from '../tokens/keys/jwt.js';
import { RevocationService } from '../tokens/revocation.service.js';
import { SessionsService } from '../tokens/sessions.service.js';
import { hasScope } from './auth-request.js';
import { clientIdOfRefreshToken } from './oauth2.queries.js';
import { scopedClaims } from './scoped-claims.js';
import { invalidRequest, oauthError } from './oauth-errors.js';
import { BasicCredentials, param, requiredParam } from './token-params.js';
import { VisitorTokensService } from './visitor-tokens.service.js';

/** `/oauth2/token` answers 4 hours unless the client sets accessTokenExpiration (API.md section 0). */
export const OAUTH2_ACCESS_TTL_S = 14_400;

/** The RFC 6749 token answer (section 5.1). */
export interface OAuthTokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  /** The scopes of the new access token, when a refresh asked for fewer (RFC 6749 section 5.1). */
  scope?: string;
  id_token?: string;
}

/**
 * RFC 6749 section 6: a refresh may ask for fewer scopes than were granted, never more (400
 * invalid_scope; the refresh token is not spent). `offline_access` is always granted (a refresh
 * token came back). Answers the new access token's scope.
 */
export function narrowScope(granted: string | null, requested: string): string | null {
  const allowed = new Set([...(granted ?? '').split(' ').filter(Boolean), 'offline_access']);
  const asked = [...new Set(requested.split(' ').filter(Boolean))];
  const wider = asked.filter((s) => !allowed.has(s));
  if (wider.length) {
    throw oauthError(
      'invalid_scope',
      'INVALID_SCOPE',
      `The refresh may not add scopes that were not granted: ${wider.join(' ').slice(0, 100)}`,
    );
  }
  return asked.join(' ') || null;
}

/**
 * The OAuth 2.0 token endpoint (RFC 6749) and revocation endpoint (RFC 7009) over the token
 * engine: codes are exchanged by AuthCodesService (which starts the session), refresh tokens rotate
 * through SessionsService, visitor tokens come from VisitorTokensService. Errors are thrown in the
 * engine's form; the controller turns them into the RFC form.
 */
@Injectable()
export class OAuth2TokenService {
  constructor(
    private readonly db: Db,
    private readonly clients: ClientsService,
    private readonly codes: AuthCodesService,
    private readonly sessions: SessionsService,
    private readonly visitors: VisitorTokensService,
    private readonly accessTokens: AccessTokensService,
    private readonly revocations: RevocationService,
    private readonly users: UsersService,
    private readonly limiter: AttemptLimiter,
  ) {}

  /**
   * Client authentication (RFC 6749 section 2.3): `client_id` (+ `client_secret` for a
   * confidential client) in the body, or HTTP Basic; never both methods at once. Wrong secrets
   * count against the client.
   */
  async authenticateClient(
    body: Record<string, unknown>,
    basic: BasicCredentials | undefined,
    ctx: RequestContext,
  ): Promise<AuthClient> {
    const bodyId = param(body, 'client_id', 'clientId', 200);
    const bodySecret = param(body, 'client_secret', 'clientSecret', 512);
    if (basic && bodySecret !== undefined) {
      throw invalidRequest('Use one client authentication method: Basic or client_secret, not both');
    }
    if (basic && bodyId !== undefined && bodyId !== basic.clientId) {
      throw invalidRequest('client_id differs from the Basic credentials');
    }
    const clientId = basic?.clientId ?? bodyId;
    if (!clientId) throw invalidRequest('clientId (client_id) is required');
    const secret = basic?.clientSecret ?? bodySecret;
    try {
      return await this.clients.authenticate(clientId, secret, ctx.ip);
    } catch (err) {
      if ((err as { code?: string }).code !== 'INVALID_CLIENT') throw err;
      throw oauthError('invalid_client', 'INVALID_CLIENT', 'Unknown client or wrong client credentials');
    }
  }

  private accessTtl(client: AuthClient): number {
    return client.accessTokenExpiration ?? OAUTH2_ACCESS_TTL_S;
  }

  async token(
    body: Record<string, unknown>,
    basic: BasicCredentials | undefined,
    ctx: RequestContext,
  ): Promise<OAuthTokenAnswer> {
    const grantType = requiredParam(body, 'grant_type', 'grantType');
    const client = await this.authenticateClient(body, basic, ctx);
    switch (grantType) {
      case 'anonymous':
        return this.anonymous(client);
      case 'authorization_code':
        return this.countFailure(ctx, () => this.authorizationCode(body, client, ctx));
      case 'refresh_token':
        return this.countFailure(ctx, () => this.refresh(body, client, ctx));
      default:
        throw oauthError(
          'unsupported_grant_type',
          'UNSUPPORTED_GRANT_TYPE',
          `Unsupported grant type "${grantType.slice(0, 64)}" (use authorization_code, refresh_token or anonymous)`,
        );
    }
  }

  /** Bad codes and refresh tokens count per IP only (API.md section 0). */
  private countFailure<T>(ctx: RequestContext, work: () => Promise<T>): Promise<T> {
    return this.limiter.guard(IpOnly.token, ctx.ip, work, hasCode(...BAD_TOKEN_CODES));
  }

  private async anonymous(client: AuthClient): Promise<OAuthTokenAnswer> {
    const t = await this.visitors.issue(client, this.accessTtl(client));
    return {
      access_token: t.accessToken,
      token_type: 'Bearer',
      expires_in: t.expiresIn,
      refresh_token: t.refreshToken,
    };
  }

  private async authorizationCode(
    body: Record<string, unknown>,
    client: AuthClient,
    ctx: RequestContext,
  ): Promise<OAuthTokenAnswer> {
    const code = requiredParam(body, 'code');
    const codeVerifier = param(body, 'code_verifier', 'codeVerifier');
    const redirectUri = param(body, 'redirect_uri', 'redirectUri');
    const ttl = this.accessTtl(client);
    const { tokens, scope, nonce, authTime } = await this.codes.exchange({
      code,
      clientId: client.clientId,
      codeVerifier,
      redirectUri,
      face: 'oauth2',
      ctx,
      accessTtlSeconds: ttl,
    });
    const answer: OAuthTokenAnswer = {
      access_token: tokens.accessToken,
      token_type: 'Bearer',
      expires_in: ttl,
      refresh_token: tokens.refreshToken,
    };
    if (hasScope(scope, 'openid')) {
      const user = await this.users.findById(tokens.claims.sub);
      answer.id_token = this.accessTokens.signIdToken({
        sub: tokens.claims.sub,
        aud: client.clientId,
        alg: client.idTokenSignedResponseAlg,
        sid: tokens.sessionId,
        nonce,
        authTime: Math.floor(authTime.getTime() / 1000),
        accessToken: tokens.accessToken,
        claims: user ? scopedClaims(user, scope) : {},
      });
    }
    return answer;
  }

  /** Which client a member refresh token (current or rotated) was issued to, if it is known. */
  private clientOfRefreshToken(refreshToken: string): Promise<string | undefined> {
    return clientIdOfRefreshToken(this.db, sha256(refreshToken));
  }

  private async refresh(
    body: Record<string, unknown>,
    client: AuthClient,
    ctx: RequestContext,
  ): Promise<OAuthTokenAnswer> {
    const refreshToken = requiredParam(body, 'refresh_token', 'refreshToken');
    const ttl = this.accessTtl(client);
    const visitor = await this.visitors.find(refreshToken);
    if (visitor) {
      const rotated =
        visitor.clientId === client.id ? await this.visitors.rotate(visitor, client, ttl) : null;
      if (!rotated)
        throw oauthError('invalid_grant', 'INVALID_REFRESH_TOKEN', 'Invalid or expired refresh token');
      return {
        access_token: rotated.accessToken,
        token_type: 'Bearer',
        expires_in: rotated.expiresIn,
        refresh_token: rotated.refreshToken,
      };
    }
    // A refresh token works only for the client it was issued to (RFC 6749 section 6); a foreign
    // one is refused without touching it, so it cannot be used to trip reuse detection either.
    const owner = await this.clientOfRefreshToken(refreshToken);
    if (owner !== undefined && owner !== client.clientId) {
      throw oauthError('invalid_grant', 'INVALID_REFRESH_TOKEN', 'Invalid or expired refresh token');
    }
    const requested = param(body, 'scope', undefined, 256);
    // The client authenticated above: its `oauth2` sessions (confidential ones refresh only here) may rotate.
    const tokens = await this.sessions.refresh(refreshToken, {
      ctx,
      accessTtlSeconds: ttl,
      face: 'oauth2',
      scope: requested === undefined ? undefined : (granted) => narrowScope(granted, requested),
    });
    const answer: OAuthTokenAnswer = {
      access_token: tokens.accessToken,
      token_type: 'Bearer',
      expires_in: ttl,
      refresh_token: tokens.refreshToken,
    };
    // RFC 6749 section 5.1: `scope` when it differs from what was asked (the refresh narrowed it).
    if (requested !== undefined) answer.scope = tokens.claims.scope ?? '';
    return answer;
  }

  /**
   * RFC 7009: revokes an access token (by jti) or a refresh token's whole session (or a visitor's
   * tokens) when it was issued to this client; anything else, unknown or foreign, is silently
   * accepted, so the answer says nothing about the token.
   */
  async revoke(
    body: Record<string, unknown>,
    basic: BasicCredentials | undefined,
    ctx: RequestContext,
  ): Promise<void> {
    const token = requiredParam(body, 'token');
    param(body, 'token_type_hint', 'tokenTypeHint');
    const client = await this.authenticateClient(body, basic, ctx);
    if (decodeJwt(token)) {
      await this.revokeAccessToken(token, client);
      return;
    }
    const visitor = await this.visitors.find(token);
    if (visitor) {
      if (visitor.clientId === client.id) await this.visitors.revoke(visitor, this.accessTtl(client));
      return;
    }
    if ((await this.clientOfRefreshToken(token)) !== client.clientId) return;
    const session = await this.sessions.findLiveSessionByRefreshToken(token);
    if (session) await this.sessions.end(session.id, { reason: 'revoked', ctx });
  }

  private async revokeAccessToken(token: string, client: AuthClient): Promise<void> {
    const claims = await this.accessTokens.verify(token, { allowExpired: true }).catch(() => null);
    if (!claims || claims.cid !== client.clientId || claims.exp * 1000 <= Date.now()) return;
    await this.db.transaction((tx) =>
      this.revocations.revokeAccessToken(tx, claims.jti, new Date(claims.exp * 1000)),
    );
  }
}
