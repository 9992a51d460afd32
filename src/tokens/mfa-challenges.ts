import type { Queryable } from '../database/db.js';
import type { User } from '../identity/identity.types.js';

/** One way to answer an MFA challenge of the password grant (API.md section 8): `mfa.methods[]`. */
export interface ChallengeMethod {
  id: string;
  type: string;
  name: string;
}

/**
 * The second factors of the password grant's MFA challenge (API.md section 8). Defined here,
 * implemented by the otp module, which owns the MFA store and the emailed codes — the same
 * inversion as SecondFactorVerifier, so the grant (oauth2) never imports another feature.
 */
export interface MfaChallengeFactors {
  /** The user's confirmed methods (authenticator, recovery codes, passkeys), as a challenge offers them. */
  methods(userId: string): Promise<ChallengeMethod[]>;
  /**
   * For a user without methods: sends a 6-digit code by email (or SMS), in the caller's
   * transaction, and answers it as a method of type `email` (`sms`); null when the user has
   * neither address.
   */
  sendCode(
    tx: Queryable,
    input: { user: User; clientId: string; appName: string },
  ): Promise<ChallengeMethod | null>;
  /** Checks and spends the sent code `codeId` of the user: 'OTP' when it matches, else null. */
  proveSentCode(tx: Queryable, userId: string, codeId: string, code: string): Promise<'OTP' | null>;
  /** Checks and spends a code of one named confirmed method; answers how it was proven, or null. */
  proveMethodCode(
    tx: Queryable,
    userId: string,
    methodId: string,
    code: string,
  ): Promise<'TOTP' | 'RECOVERY_CODE' | null>;
}

export const MFA_CHALLENGE_FACTORS = Symbol('MFA_CHALLENGE_FACTORS');
