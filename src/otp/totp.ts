import { generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 as authenticator apps expect it: HMAC-SHA-1, 6 digits, 30-second steps, base32 secret. */
export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
/** One step either side of now: clocks drift and people type slowly. */
const TOLERANCE_S = TOTP_PERIOD_S;
const SIX_DIGITS = /^\d{6}$/;

/** A new secret: 20 random bytes (160 bits, RFC 4226's recommendation), base32. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The `otpauth://totp/...` URI an authenticator app scans. */
export function totpUri(input: { issuer: string; label: string; secret: string }): string {
  return generateURI({
    issuer: input.issuer,
    label: input.label,
    secret: input.secret,
    algorithm: 'sha1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
  });
}

export function isTotpFormat(code: string): boolean {
  return SIX_DIGITS.test(code);
}

/**
 * The time step `code` belongs to (previous, current or next step), or null. Steps at or before
 * `lastUsedStep` are refused, so a code is accepted once per user: the caller records the step it
 * answers with a conditional upsert (recordTotpStep in mfa-methods.queries.ts), which also settles
 * races.
 */
export async function matchTotpStep(
  secret: string,
  code: string,
  lastUsedStep: number | null,
  nowMs = Date.now(),
): Promise<number | null> {
  if (!isTotpFormat(code)) return null;
  try {
    const result = await verify({
      secret,
      token: code,
      epoch: Math.floor(nowMs / 1000),
      epochTolerance: TOLERANCE_S,
      period: TOTP_PERIOD_S,
      digits: TOTP_DIGITS,
      algorithm: 'sha1',
      afterTimeStep: lastUsedStep ?? undefined,
    });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  } catch {
    return null; // malformed secret or token: never a 5xx, just not a match
  }
}
