import type { EntityManager } from 'typeorm';

export type LoginType = 'ACCESS' | 'RELOGIN' | 'LOGOUT';
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

export interface LoginActivityEntry {
  actor: string;
  tenantId: string;
  loginType: LoginType;
  authMethod: string;
  /** The claims of the access token issued (null on logout). */
  tokenPayload: Record<string, unknown> | null;
  deviceInfo: string | null;
  ipAddress: string | null;
  userAgent: string | null;
}

/**
 * Writes one login-activity row inside the token engine's transaction, so a session never exists
 * without its audit row. Defined here, implemented by the login-activity module.
 */
export interface LoginActivityRecorder {
  record(manager: EntityManager, entry: LoginActivityEntry): Promise<void>;
}

export const LOGIN_ACTIVITY_RECORDER = Symbol('LOGIN_ACTIVITY_RECORDER');

/** Events the token engine emits after commit, for in-process reactions only. */
export const SESSION_STARTED = 'session.started';
export const SESSION_ENDED = 'session.ended';
export interface SessionEvent {
  sessionId: string;
  userId: string;
  tenantId: string;
  clientId: string;
  authMethod: string;
  reason?: string;
}
