import { AppError } from '../../common/errors/app-error.js';
import type { AuthClient } from '../../identity/entities/auth-client.entity.js';
import { PKCE_CHALLENGE } from '../pkce.js';
import { originOf } from './hosted-page.js';

export const RESPONSE_MODES = ['web_message', 'query', 'fragment'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

/** Scopes this server understands; `offline_access` is implied (a refresh token always comes back). */
export const SUPPORTED_SCOPES = ['openid', 'offline_access', 'email', 'profile'] as const;

/** What an authorization request asks for, validated against its client. */
export interface AuthRequest {
  /** Public client id. */
  clientId: string;
  redirectUri: string;
  responseMode: ResponseMode;
  state: string | null;
  nonce: string | null;
  /** Space-separated, only supported scopes. */
  scope: string;
  codeChallenge: string;
}

export interface AuthRequestInput {
  redirectUri?: string;
  responseMode: string;
  responseType: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  scope?: string;
  state?: string;
  nonce?: string;
}

export const invalidRedirectUri = (message: string) => new AppError(400, 'INVALID_REDIRECT_URI', message);
const invalidRequest = (message: string) => new AppError(400, 'INVALID_REQUEST', message);

export function parseScope(scope: string | undefined): string {
  const values = [...new Set((scope ?? '').split(' ').filter(Boolean))];
  const unknown = values.filter((v) => !(SUPPORTED_SCOPES as readonly string[]).includes(v));
  if (unknown.length) {
    throw new AppError(
      400,
      'INVALID_SCOPE',
      `Unsupported scope: ${unknown.join(' ')} (supported: ${SUPPORTED_SCOPES.join(', ')})`,
    );
  }
  return values.join(' ');
}

export function hasScope(scope: string | null | undefined, value: string): boolean {
  return (scope ?? '').split(' ').includes(value);
}

/**
 * The checks of a redirect session and of the standard RFC 6749 query (API.md section 7):
 * `response_type=code` only, S256 PKCE only (else 400 INVALID_REQUEST), a redirect URI that is
 * exactly one of the client's `redirectUrls` (default: the first; else 400 INVALID_REDIRECT_URI),
 * and for `web_message` a redirect origin that is one of the client's `allowedOrigins` (the only
 * origin the page will post to).
 */
export function validateAuthRequest(client: AuthClient, input: AuthRequestInput): AuthRequest {
  const redirectUri = input.redirectUri ?? client.redirectUrls[0];
  if (!redirectUri) throw invalidRedirectUri('The client has no registered redirect URL');
  if (input.redirectUri !== undefined && !client.redirectUrls.includes(input.redirectUri)) {
    throw invalidRedirectUri("redirectUri is not one of the client's registered redirect URLs");
  }
  if (input.responseType !== 'code') throw invalidRequest('Only responseType "code" is supported');
  if (!(RESPONSE_MODES as readonly string[]).includes(input.responseMode)) {
    throw invalidRequest(`responseMode must be one of ${RESPONSE_MODES.join(', ')}`);
  }
  const responseMode = input.responseMode as ResponseMode;
  if (input.codeChallengeMethod !== 'S256') {
    throw invalidRequest('PKCE is required with codeChallengeMethod "S256" ("plain" is not accepted)');
  }
  if (!input.codeChallenge || !PKCE_CHALLENGE.test(input.codeChallenge)) {
    throw invalidRequest('codeChallenge must be the base64url SHA-256 of the code verifier (43 characters)');
  }
  if (responseMode === 'web_message') {
    const origin = originOf(redirectUri);
    if (!origin || !client.allowedOrigins.includes(origin)) {
      throw invalidRedirectUri(
        `web_message posts only to the redirect URI's origin, which must be one of the client's allowedOrigins (${origin ?? 'none'} is not)`,
      );
    }
  }
  for (const [name, value, max] of [
    ['state', input.state, 1000],
    ['nonce', input.nonce, 256],
  ] as const) {
    if (value !== undefined && (value.length > max || value.includes('\u0000'))) {
      throw invalidRequest(`${name} is too long or contains NUL characters`);
    }
  }
  const scope = parseScope(input.scope);
  if (scope.length > 256) throw invalidRequest('scope is too long');
  return {
    clientId: client.clientId,
    redirectUri,
    responseMode,
    state: input.state ?? null,
    nonce: input.nonce ?? null,
    scope,
    codeChallenge: input.codeChallenge,
  };
}
