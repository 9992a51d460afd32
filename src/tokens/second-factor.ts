import type { Queryable } from '../database/db.js';

/**
 * Checks a second factor where the token engine needs one itself (the hosted login page of
 * /oauth2/authorize). Defined here, implemented by the otp module, which owns the MFA store —
 * the same inversion as the login-activity recorder, so tokens never imports a feature.
 */
export interface SecondFactorVerifier {
  /**
   * Whether the user has a second factor the page can check: a confirmed authenticator (codes) or
   * a passkey (the page's passkey button, PasskeyFactor).
   */
  hasAuthenticator(userId: string): Promise<boolean>;
  /**
   * Checks and spends a TOTP or recovery code in the caller's transaction; answers how the factor
   * was proven, or null.
   */
  verify(tx: Queryable, userId: string, code: string): Promise<'TOTP' | 'RECOVERY_CODE' | null>;
}

export const SECOND_FACTOR_VERIFIER = Symbol('SECOND_FACTOR_VERIFIER');
