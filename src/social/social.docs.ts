import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { BODY_ERRORS } from '../common/http/api-docs.js';

/* The Swagger texts the social and SAML routes share (social.controller.ts). */

export const START_ERRORS = [
  ...BODY_ERRORS,
  [
    400,
    "INVALID_REDIRECT_URI: redirect_uri is not one of the client's redirectUrls (or the client has none)",
  ],
  [401, 'INVALID_CLIENT: unknown client_id or wrong client_secret'],
  [401, 'PROVIDER_ERROR: the provider could not be reached (e.g. its discovery document)'],
] as (number | [number, string])[];

export const CALLBACK_ERRORS = [
  [
    401,
    'INVALID_STATE: missing, unknown, spent, expired or foreign state (it works once, for its own provider, and ' +
      "only in the browser that started the login: without that browser's login cookie it is refused and stays unspent)",
  ],
  [
    401,
    'PROVIDER_ERROR: the provider answered an error, refused the code, or sent a token or assertion that failed verification',
  ],
  [401, 'USER_NOT_FOUND: no user matches and the client does not allow sign-up'],
  [
    409,
    'ACCOUNT_EXISTS: a user with the email the provider asserts exists, but their email is not proven: sign in with ' +
      'your password, or reset it, to link this provider (nothing is linked)',
  ],
  [
    403,
    'NOT_A_MEMBER | LOCKED | PENDING_APPROVAL | PENDING_VERIFICATION | DISABLED: the membership is not active',
  ],
] as (number | [number, string])[];

/** What every start route's 302 says about the cookie it sets (API.md section 12). */
export const BINDING_COOKIE =
  'Sets an HttpOnly cookie `auth-login-<provider>` (`__Host-auth-login-<provider>` when PUBLIC_URL is https: then ' +
  'Secure) that binds the state to this browser; the callback is refused 401 INVALID_STATE without it. SameSite=Lax; ' +
  'None for the cross-site POST callbacks of Apple and SAML when PUBLIC_URL is https (browsers drop SameSite=None ' +
  'without Secure, so over plain http these use Lax too and work only with an IdP on the same site)';
export const START_302 =
  "To the provider's authorization page, with a one-time `state` (valid 10 minutes) bound to the client. " +
  BINDING_COOKIE;
export const CALLBACK_302 =
  "To the client's redirect URL with `?code=` (and the client's `state` when the start route had one): a single-use " +
  'auth code for POST /auth/token. When a second factor is due the code waits for /auth/verify-otp (MFA_REQUIRED).';

export const START_FLOW =
  'Authenticates the client (client_secret for confidential clients), checks redirect_uri, stores a one-time state in ' +
  'Postgres (any instance can finish the login) and answers 302 to the provider. The callback then exchanges the ' +
  "provider's code, verifies what it signed, finds or links or creates the user (API.md section 5), and redirects to " +
  'the client with `?code=`. An optional PKCE pair (code_challenge, code_challenge_method S256) binds that code.';

/** The parameters an OAuth 2.0 / OpenID Connect callback carries (others are ignored). */
export const CallbackQuery = () =>
  applyDecorators(
    ApiQuery({ name: 'code', required: false, description: "The provider's authorization code" }),
    ApiQuery({ name: 'state', required: false, description: 'The state the start route issued' }),
    ApiQuery({ name: 'error', required: false, description: 'Set by the provider when the login failed' }),
    ApiQuery({ name: 'error_description', required: false }),
  );
