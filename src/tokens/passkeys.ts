import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Queryable } from '../database/db.js';
import type { AuthClient } from '../identity/identity.types.js';

/** A passkey as an MFA method (GET /auth/v2/mfa/methods, the MFA challenge of section 8). */
export interface PasskeyMethod {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** The options of a WebAuthn assertion and, for a sign-in, the stateToken that finishes it. */
export interface PasskeySignInStart {
  stateToken: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}

/** An assertion offered as a user's second factor, in the flow bound to `binding`. */
export interface PasskeyAssertion {
  userId: string;
  binding: string;
  credential: unknown;
  /** The client of the flow: its allowedOrigins under the RP id are accepted besides PUBLIC_URL's. */
  client: AuthClient | null;
  methodId?: string;
}

/**
 * Passkeys (API.md section 13) where the token engine and other features need them: the otp
 * module's MFA store lists and removes them and takes them in the MFA grant, the hosted login page
 * of /oauth2/authorize signs in with them. Defined here, implemented by the passkeys module and
 * provided globally, so that neither tokens nor otp imports that feature (the inversion of
 * SecondFactorVerifier). Every refusal (a wrong signature, origin or RP id, a counter that went
 * back, no user presence, a credential of another user, a spent challenge) answers null/false; the
 * caller answers 401 INVALID_PASSKEY and counts the failure.
 */
export interface PasskeyFactor {
  /** The user's passkeys, oldest first. */
  list(userId: string): Promise<PasskeyMethod[]>;
  /** How many passkeys the user has, read in the caller's transaction. */
  count(q: Queryable, userId: string): Promise<number>;
  /** Removes one of the user's passkeys in the caller's transaction; its name, or null when there is none. */
  remove(q: Queryable, userId: string, methodId: string): Promise<{ name: string } | null>;
  /** Removes every passkey of the user in the caller's transaction (an admin's MFA reset); how many. */
  removeAll(q: Queryable, userId: string): Promise<number>;
  /**
   * Assertion options for the user's passkeys as a second factor (only `methodId` when given; null
   * when the user has no such passkey), their challenge single use and bound to `binding` (what the
   * factor finishes, e.g. one MFA challenge).
   */
  secondFactorOptions(
    userId: string,
    binding: string,
    methodId?: string,
  ): Promise<PublicKeyCredentialRequestOptionsJSON | null>;
  /**
   * Checks an assertion as the user's second factor: a challenge of `secondFactorOptions` for
   * this binding and user (spent now), one of the user's passkeys (`methodId` when given).
   */
  verifySecondFactor(input: PasskeyAssertion): Promise<boolean>;
  /** Options of a discoverable sign-in, bound to `binding` (e.g. one redirect session of the hosted page). */
  startSignIn(binding: string): Promise<PasskeySignInStart>;
  /**
   * Finishes a sign-in started for `binding` on a page of PUBLIC_URL: the user whose passkey
   * signed, or null. Spends the challenge; a wrong assertion counts against the owner's budget of
   * second factors, an unknown credential or stateToken per IP.
   */
  finishSignIn(
    stateToken: string,
    binding: string,
    credential: unknown,
    ip: string,
  ): Promise<{ userId: string } | null>;
}

export const PASSKEY_FACTOR = Symbol('PASSKEY_FACTOR');

/**
 * The login-activity `authMethod` of a passkey sign-in. Such a sign-in proved both factors (API.md
 * section 13): a sessionToken carrying it needs no further MFA step.
 */
export const PASSKEY_AUTH_METHOD = 'PASSKEY';
