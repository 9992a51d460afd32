/**
 * Words of the contract that the service and the admin console (a browser bundle) both use. No
 * imports here: the console's bundler takes this file as it is.
 */

/** Login activity `authMethod`: how a session was proven (API.md sections 6 and 13). */
export const AUTH_METHODS = [
  'PASSWORD',
  'OTP',
  'TOTP',
  'RECOVERY_CODE',
  'GOOGLE',
  'AZURE',
  'APPLE',
  'COGNITO',
  'FACEBOOK',
  'INSTAGRAM',
  'KEYCLOAK',
  'SAML',
  'SSO_TOKEN',
  'HEADLESS',
  'HEADLESS_LOGIN',
  'PASSKEY',
] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** Login activity `loginType`: a sign-in, a refresh, a sign-out. */
export const LOGIN_TYPES = ['ACCESS', 'RELOGIN', 'LOGOUT'] as const;
export type LoginType = (typeof LOGIN_TYPES)[number];

/** The status of a user's membership of a tenant. */
export const MEMBERSHIP_STATUSES = [
  'ACTIVE',
  'PENDING_VERIFICATION',
  'PENDING_APPROVAL',
  'LOCKED',
  'DISABLED',
] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];
