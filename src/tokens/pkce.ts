import { createHash, timingSafeEqual } from 'node:crypto';

/** RFC 7636 verifier: 43-128 characters of [A-Z a-z 0-9 - . _ ~]. */
export const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** An S256 challenge: base64url of a SHA-256 (43 characters). */
export const PKCE_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Whether `verifier` matches an S256 `challenge`, compared in constant time. */
export function verifyPkce(challenge: string, verifier: string | undefined): boolean {
  if (!verifier || !PKCE_VERIFIER.test(verifier)) return false;
  const a = Buffer.from(s256(verifier));
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}
