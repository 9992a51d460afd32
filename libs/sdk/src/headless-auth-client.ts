import { ApiError } from './errors.js';
import { FetchLike, request, resolveFetch } from './http.js';
import type { MemberAPIToken, MemberAPITokens, RevokeFailure } from './models.js';

export interface HeadlessAuthClientOptions {
  /** The service's base URL, e.g. `https://auth.example.com`. */
  baseUrl: string;
  /** A headless token from `POST /admin/headless-tokens`. Keep it on the server. */
  headlessToken: string;
  /** A fetch implementation (default: the global fetch). */
  fetch?: FetchLike;
}

/**
 * Member tokens for your server (API.md section 9, seed 000): mint an access and refresh token for
 * a member by id, email or SSO id, renew the access token, revoke either. Never ship the headless
 * token to a browser: it mints tokens for every member of its tenant.
 */
export class HeadlessAuthClient {
  private readonly baseUrl: string;
  private readonly headlessToken: string;
  private readonly fetchFn: FetchLike;

  constructor(options: HeadlessAuthClientOptions) {
    if (!options?.baseUrl) throw new TypeError('baseUrl is required');
    if (!options.headlessToken) throw new TypeError('headlessToken is required');
    this.baseUrl = options.baseUrl;
    this.headlessToken = options.headlessToken;
    this.fetchFn = resolveFetch(options.fetch);
  }

  private post<T>(path: string, body: Record<string, unknown>): Promise<T> {
    return request<T>(this.fetchFn, this.baseUrl, {
      method: 'POST',
      path: `/api/v1/headless/${path}`,
      body,
      bearer: this.headlessToken,
    });
  }

  /** Tokens for the member with this community member id (the membership's memberId). */
  getMemberAPITokenFromCommunityMemberId(memberId: number | string): Promise<MemberAPITokens> {
    const id = typeof memberId === 'string' && /^\d+$/.test(memberId) ? Number(memberId) : memberId;
    return this.post('auth_token', { community_member_id: id });
  }

  /** Tokens for the member with this email (case-insensitive). */
  getMemberAPITokenFromEmail(email: string): Promise<MemberAPITokens> {
    return this.post('auth_token', { email });
  }

  /** Tokens for the member with this id in your SSO (the user's ssoId). */
  getMemberAPITokenFromSSOId(ssoId: string): Promise<MemberAPITokens> {
    return this.post('auth_token', { sso_id: ssoId });
  }

  /** A new access token; the refresh token is not rotated and stays good until it expires or is revoked. */
  getMemberAPITokenFromRefreshToken(refreshToken: string): Promise<MemberAPIToken> {
    return this.post('access_token/refresh', { refresh_token: refreshToken });
  }

  /** Ends the member session of this refresh token (its access tokens stop too). `null` on success. */
  revokeRefreshToken(refreshToken: string): Promise<null | RevokeFailure> {
    return this.revoke('refresh_token/revoke', { refresh_token: refreshToken });
  }

  /** Stops one member access token. `null` on success. */
  revokeMemberAPIToken(accessToken: string): Promise<null | RevokeFailure> {
    return this.revoke('access_token/revoke', { access_token: accessToken });
  }

  /** Seed 000: a failed revocation resolves to `{success: false, message}` instead of rejecting. */
  private async revoke(path: string, body: Record<string, unknown>): Promise<null | RevokeFailure> {
    try {
      await this.post<null>(path, body);
      return null;
    } catch (err) {
      if (err instanceof ApiError) return { success: false, message: err.message };
      throw err;
    }
  }
}
