import { AppError } from '../common/errors/app-error.js';

/** The OAuth 2.0 error codes of RFC 6749 section 5.2 (and RFC 7009) this service answers. */
export type OAuthErrorName =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

/**
 * An error of /oauth2/token or /oauth2/revoke: the RFC 6749 fields `error` and
 * `error_description` next to the contract's `statusCode`, `code` and `message` (API.md section 0).
 * 401 for client authentication, 400 otherwise.
 */
export function oauthError(error: OAuthErrorName, code: string, message: string): AppError {
  return new AppError(error === 'invalid_client' ? 401 : 400, code, message, {
    error,
    error_description: message,
  });
}

export const invalidRequest = (message: string) => oauthError('invalid_request', 'INVALID_REQUEST', message);

/**
 * Re-expresses an error of the token engine in the RFC form: a bad client stays 401
 * `invalid_client`; a bad, spent or foreign code or refresh token, a pending second factor or an
 * inactive membership become 400 `invalid_grant` with the engine's own `code`. Rate limits (429)
 * and unexpected errors pass through unchanged.
 */
export function toOAuthError(err: unknown): unknown {
  if (!(err instanceof AppError) || 'error_description' in err.extra) return err;
  const status = err.getStatus();
  if (err.code === 'INVALID_CLIENT') return oauthError('invalid_client', err.code, err.message);
  if (status === 400 || status === 422) return oauthError('invalid_request', err.code, err.message);
  if (status === 401 || status === 403) return oauthError('invalid_grant', err.code, err.message);
  return err;
}
