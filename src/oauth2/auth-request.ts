import { AppError } from '../common/errors/app-error.js';
import type { AuthClient } from '../identity/identity.types.js';
import { PKCE_CHALLENGE } from '../tokens/pkce.js';
import { originOf } from '../common/http/hosted-page.js';

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

/**
 * A refusal of an authorization request whose client and redirect URI are known: the standard
 * query sends it to the redirect URI as `error` (RFC 6749 section 4.1.2.1); a redirect session
 * answers it as the 400 body of `code`.
 */
export class AuthorizationRequestError extends AppError {
  constructor(
    readonly oauthError:
      | 'invalid_request'
      | 'unsupported_response_type'
      | 'invalid_scope'
      | 'request_not_supported'
      | 'request_uri_not_supported'
      | 'registration_not_supported',
    code: string,
    message: string,
  ) {
    super(400, code, message);
  }
}

const invalidRequest = (message: string) =>
  new AuthorizationRequestError('invalid_request', 'INVALID_REQUEST', message);

export function parseScope(scope: string | undefined): string {
  const values = [...new Set((scope ?? '').split(' ').filter(Boolean))];
  const unknown = values.filter((v) => !(SUPPORTED_SCOPES as readonly string[]).includes(v));
  if (unknown.length) {
    throw new AuthorizationRequestError(
      'invalid_scope',
      'INVALID_SCOPE',
      `Unsupported scope: ${unknown.join(' ').slice(0, 200)} (supported: ${SUPPORTED_SCOPES.join(', ')})`,
    );
  }
  return values.join(' ');
}

export function hasScope(scope: string | null | undefined, value: string): boolean {
  return (scope ?? '').split(' ').includes(value);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);

/**
 * Whether `uri` is one of the client's registered redirect URIs: exactly, or (RFC 8252 section
 * 7.3) a registered loopback IP redirect URI (`http://127.0.0.1/...`, `http://[::1]/...`) on any
 * port, since a native app's local server gets whatever port is free.
 */
export function isRegisteredRedirect(client: AuthClient, uri: string): boolean {
  if (client.redirectUrls.includes(uri)) return true;
  let asked: URL;
  try {
    asked = new URL(uri);
  } catch {
    return false;
  }
  if (asked.protocol !== 'http:' || !LOOPBACK_HOSTS.has(asked.hostname)) return false;
  return client.redirectUrls.some((registered) => {
    try {
      const r = new URL(registered);
      return (
        r.protocol === 'http:' &&
        r.hostname === asked.hostname &&
        r.pathname === asked.pathname &&
        r.search === asked.search &&
        !uri.includes('#')
      );
    } catch {
      return false;
    }
  });
}

/** Where (and how) an authorization answer goes: known before anything else is checked. */
export interface AuthorizationTarget {
  clientId: string;
  redirectUri: string;
  responseMode: ResponseMode;
  /** Echoed back; null when absent or unusable (too long, NUL). */
  state: string | null;
}

/**
 * The redirect URI and response mode of a request: one of the client's `redirectUrls` (default:
 * the first), and for `web_message` an origin in `allowedOrigins`. Failures are 400
 * INVALID_REDIRECT_URI and are never sent to the redirect URI; an unknown response mode falls
 * back to `query` here (and is refused by `validateAuthRequest`).
 */
export function authorizationTarget(client: AuthClient, input: AuthRequestInput): AuthorizationTarget {
  const redirectUri = input.redirectUri ?? client.redirectUrls[0];
  if (!redirectUri) throw invalidRedirectUri('The client has no registered redirect URL');
  if (input.redirectUri !== undefined && !isRegisteredRedirect(client, input.redirectUri)) {
    throw invalidRedirectUri("redirectUri is not one of the client's registered redirect URLs");
  }
  const responseMode = (RESPONSE_MODES as readonly string[]).includes(input.responseMode)
    ? (input.responseMode as ResponseMode)
    : 'query';
  if (responseMode === 'web_message') {
    const origin = originOf(redirectUri);
    if (!origin || !client.allowedOrigins.includes(origin)) {
      throw invalidRedirectUri(
        `web_message posts only to the redirect URI's origin, which must be one of the client's allowedOrigins (${origin ?? 'none'} is not)`,
      );
    }
  }
  const state =
    input.state !== undefined && input.state.length <= 1000 && !input.state.includes('\u0000')
      ? input.state
      : null;
  return { clientId: client.clientId, redirectUri, responseMode, state };
}

/**
 * The checks of a redirect session and of the standard RFC 6749 query (API.md section 7): the
 * target first (see `authorizationTarget`), then `response_type=code` only, S256 PKCE only, known
 * scopes, sane state and nonce (each an AuthorizationRequestError).
 */
export function validateAuthRequest(client: AuthClient, input: AuthRequestInput): AuthRequest {
  const target = authorizationTarget(client, input);
  if (input.responseType !== 'code') {
    throw new AuthorizationRequestError(
      'unsupported_response_type',
      'INVALID_REQUEST',
      'Only responseType "code" is supported',
    );
  }
  if (!(RESPONSE_MODES as readonly string[]).includes(input.responseMode)) {
    throw invalidRequest(`responseMode must be one of ${RESPONSE_MODES.join(', ')}`);
  }
  if (input.codeChallengeMethod !== 'S256') {
    throw invalidRequest('PKCE is required with codeChallengeMethod "S256" ("plain" is not accepted)');
  }
  if (!input.codeChallenge || !PKCE_CHALLENGE.test(input.codeChallenge)) {
    throw invalidRequest('codeChallenge must be the base64url SHA-256 of the code verifier (43 characters)');
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
    redirectUri: target.redirectUri,
    responseMode: target.responseMode,
    state: input.state ?? null,
    nonce: input.nonce ?? null,
    scope,
    codeChallenge: input.codeChallenge,
  };
}
