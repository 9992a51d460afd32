/**
 * The otp module's records (tables mfa_method, mfa_recovery_code, mfa_totp_step, otp_code): plain
 * interfaces; the statements and row mapping are in mfa-methods.queries.ts and otp-codes.queries.ts.
 */

/**
 * The kind of a second factor of a user (API.md section 8; the authenticator of section 4 is a
 * `totp` one). A `totp` method holds its secret sealed with ENCRYPTION_KEY and is pending until
 * confirmed; the `recoveryCode` method is the user's set of recovery codes (mfa_recovery_code rows,
 * only their salted SHA-256 stored, each single use). The last accepted TOTP step is kept per user
 * in `mfa_totp_step`.
 */
export type MfaMethodType = 'totp' | 'recoveryCode';

/** How a second factor ended a login: the session's `authMethod`. */
export type SecondFactor = 'TOTP' | 'RECOVERY_CODE';

/** A method of the MFA store as GET /auth/v2/mfa/methods shows it. */
export interface MfaMethodRecord {
  id: string;
  userId: string;
  /** `passkey`: a WebAuthn credential of the passkeys module (API.md section 13), always confirmed. */
  type: MfaMethodType | 'passkey';
  name: string;
  confirmed: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** Unused recovery codes (`recoveryCode` methods only, else null). */
  remainingCodes: number | null;
}

/** A stored `mfa_method` row, its secret still sealed. */
export interface StoredMfaMethod {
  id: string;
  userId: string;
  type: MfaMethodType;
  name: string;
  /** SecretBox-sealed base32 secret (`totp` only). */
  secretEnc: string | null;
  /** Null while pending (a `totp` method created but not yet proven with a code). */
  confirmedAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** What an authenticator app needs, shown once when the method is created. */
export interface TotpSetup {
  methodId: string;
  /** Base32 secret, for typing in by hand. */
  secret: string;
  otpauthUrl: string;
  /** `data:image/png;base64,...` QR code of `otpauthUrl`. */
  qrCode: string;
}

export type OtpChannel = 'email' | 'sms';
/** `login`: /auth/send-otp (section 4); `mfa-grant`: the code of a password-grant MFA challenge (section 8). */
export type OtpPurpose = 'login' | 'mfa-grant';

/**
 * A live 6-digit code sent by email or SMS (`otp_code`): 5 minutes, single use, 5 wrong tries
 * burn it. Only SHA-256(id, code) is stored; the clear code exists only in the (sealed) outbox
 * message.
 */
export interface LiveOtp {
  id: string;
  userId: string;
  /** auth_client.id of the client that asked for it: the login it ends in is for that client. */
  clientId: string;
  /** The pending /auth/login code it completes, if it was sent for one. */
  pendingCodeId: string | null;
  channel: OtpChannel;
  /** SHA-256(id, code). */
  hash: Buffer;
}
