import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** An opaque random token: 32 bytes of CSPRNG output, base64url (43 characters). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A numeric code of `digits` digits from a CSPRNG (OTPs, verification codes). */
export function randomDigits(digits = 6): string {
  let out = '';
  for (let i = 0; i < digits; i++) out += String(randomInt(10));
  return out;
}

/** SHA-256 of a token, the only form in which opaque tokens are stored. */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function sha256Hex(value: string): string {
  return sha256(value).toString('hex');
}

/** Constant-time comparison of two strings of any length (hashes first so lengths do not leak). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** Constant-time comparison of a secret with a stored SHA-256 hex digest. */
export function matchesSha256Hex(secret: string, storedHex: string): boolean {
  const stored = Buffer.from(storedHex, 'hex');
  return stored.length === 32 && timingSafeEqual(sha256(secret), stored);
}
