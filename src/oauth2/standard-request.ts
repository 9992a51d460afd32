import { AppError } from '../common/errors/app-error.js';
import { AuthorizationRequestError } from './auth-request.js';

/**
 * The parameters of the standard RFC 6749 / OpenID Connect authorization request this server reads
 * (everything else is ignored, as RFC 6749 says: `display`, `ui_locales`, `claims_locales`,
 * `acr_values`, `claims`, ...).
 */
export const STANDARD_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'code_challenge',
  'code_challenge_method',
  'state',
  'scope',
  'nonce',
  'response_mode',
  'prompt',
  'max_age',
  'id_token_hint',
  'login_hint',
  'request',
  'request_uri',
  'registration',
] as const;
export type StandardQuery = Partial<Record<(typeof STANDARD_PARAMS)[number], string>>;

/** The `prompt` values this server handles (`prompt_values_supported`). */
export const PROMPT_VALUES = ['none', 'login', 'consent', 'select_account'] as const;

/** How a request wants the user to be signed in (OpenID Connect Core 1.0 section 3.1.2.1). */
export interface SignInOptions {
  /** `none`: never show a page; `login` / `select_account`: a fresh sign-in; `consent`: no effect (no consent screen). */
  prompt: Set<string>;
  /** Seconds: a sign-in older than this must be done again. */
  maxAge: number | null;
  /** The `sub` of a valid `id_token_hint`: only that user's hosted session may answer. */
  hintSub?: string;
  /** Put in the hosted form's email field. */
  loginHint?: string;
}

/**
 * Reads the standard query (or form body). A parameter given twice, with a NUL character or too
 * long is answered directly (400 INVALID_REQUEST, never redirected): such a request is not sent
 * anywhere.
 */
export function readStandardQuery(query: Record<string, unknown>): StandardQuery {
  const q: StandardQuery = {};
  for (const name of STANDARD_PARAMS) {
    const value = query[name];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') throw new AppError(400, 'INVALID_REQUEST', `${name} must appear once`);
    const max = name === 'id_token_hint' || name === 'request' ? 8192 : 2048;
    if (value.length > max || value.includes('\u0000')) {
      throw new AppError(400, 'INVALID_REQUEST', `${name} is too long or contains NUL characters`);
    }
    q[name] = value;
  }
  return q;
}

/**
 * `prompt`, `max_age`, `login_hint`, and the request-object parameters this server does not
 * support. Refusals are AuthorizationRequestErrors (sent to the redirect URI).
 */
export function readSignInOptions(q: StandardQuery): SignInOptions & { idTokenHint?: string } {
  if (q.request !== undefined) {
    throw new AuthorizationRequestError(
      'request_not_supported',
      'INVALID_REQUEST',
      'Request objects are not supported',
    );
  }
  if (q.request_uri !== undefined) {
    throw new AuthorizationRequestError(
      'request_uri_not_supported',
      'INVALID_REQUEST',
      'request_uri is not supported',
    );
  }
  if (q.registration !== undefined) {
    throw new AuthorizationRequestError(
      'registration_not_supported',
      'INVALID_REQUEST',
      'The registration parameter is not supported',
    );
  }
  const prompt = new Set((q.prompt ?? '').split(' ').filter(Boolean));
  const unknown = [...prompt].filter((p) => !(PROMPT_VALUES as readonly string[]).includes(p));
  if (unknown.length) {
    throw new AuthorizationRequestError(
      'invalid_request',
      'INVALID_REQUEST',
      `Unsupported prompt value: ${unknown.join(' ').slice(0, 100)} (supported: ${PROMPT_VALUES.join(', ')})`,
    );
  }
  if (prompt.has('none') && prompt.size > 1) {
    throw new AuthorizationRequestError(
      'invalid_request',
      'INVALID_REQUEST',
      'prompt=none cannot be combined',
    );
  }
  let maxAge: number | null = null;
  if (q.max_age !== undefined) {
    if (!/^\d{1,9}$/.test(q.max_age)) {
      throw new AuthorizationRequestError(
        'invalid_request',
        'INVALID_REQUEST',
        'max_age must be a whole number of seconds',
      );
    }
    maxAge = Number(q.max_age);
  }
  const loginHint = q.login_hint && q.login_hint.length <= 320 ? q.login_hint : undefined;
  return { prompt, maxAge, loginHint, idTokenHint: q.id_token_hint };
}
