import type { RequestContext } from '../common/http/request-context.js';
import type { AuthClient } from '../identity/identity.types.js';
import type { AccessClaims } from './access-tokens.service.js';

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

/**
 * Where a code may be exchanged (API.md section 12, "codes stay on their face"): `auth` codes (of
 * `/auth/login`, the social and SAML callbacks, the OTP login) at `/auth/token`; `oauth2` codes
 * (of `/oauth2/authorize`) only at `/oauth2/token`, which authenticates confidential clients.
 */
export type CodeFace = 'auth' | 'oauth2';

/** A login session (table `session`): one refresh-token family; its id is the `sid` of its access tokens. */
export interface Session {
  id: string;
  userId: string;
  tenantId: string;
  /** auth_client.id (not the public client_id). */
  clientId: string;
  authMethod: string;
  face: SessionFace;
  deviceInfo: string | null;
  /** When the newest access token of this session expires: revocations are kept in memory until then. */
  accessExpiresAt: Date;
  expiresAt: Date;
  /** The scopes granted at /oauth2/authorize (its access tokens carry them). */
  scope: string | null;
}

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
  /**
   * The member's permissions, when the caller has just read them with the membership found ACTIVE
   * (MembershipsService.requireActive): `start` then does not read them again. The session is
   * still written only while the membership is ACTIVE.
   */
  permissions?: string[];
}

/** Options of a refresh (see SessionRefreshService.refresh). */
export interface RefreshOptions {
  tenantId?: string;
  ctx: RequestContext;
  requireUserId?: string;
  accessTtlSeconds?: number;
  face?: SessionFace;
  scope?: (granted: string | null) => string | null;
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

/** A live session by id, with the public client_id it belongs to. */
export interface LiveSessionRef extends Pick<Session, 'id' | 'userId' | 'tenantId' | 'authMethod' | 'face'> {
  /** The public client_id. */
  clientId: string;
}

export const DEFAULT_ACCESS_TTL_S = 3600;
export const DEFAULT_REFRESH_TTL_S = 30 * 24 * 3600;

/** The lifetimes of a client's tokens (the defaults where it sets none). */
export function refreshTtl(client: Pick<AuthClient, 'refreshTokenExpiration'>): number {
  return client.refreshTokenExpiration ?? DEFAULT_REFRESH_TTL_S;
}

export function accessTtl(client: Pick<AuthClient, 'accessTokenExpiration'>): number {
  return client.accessTokenExpiration ?? DEFAULT_ACCESS_TTL_S;
}
