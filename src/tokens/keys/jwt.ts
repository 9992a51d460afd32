import { createHash, KeyObject, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { JwtAlgorithm } from '../../config/config.js';

/**
 * Compact JWS with Node's own crypto and cached KeyObjects: no async overhead on the hot path
 * (see STACK-NOTES: jose's async API costs more per token). Only the three algorithms we issue.
 */
const HASH: Record<JwtAlgorithm, string | null> = { ES256: 'sha256', RS256: 'sha256', EdDSA: null };

export function b64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * `typ` is the JOSE header's media type: `JWT` for ID tokens, `at+jwt` for access tokens (RFC
 * 9068), so that one can never be taken for the other.
 */
export function signJwt(
  payload: object,
  key: { kid: string; alg: JwtAlgorithm; privateKey: KeyObject },
  typ: 'JWT' | 'at+jwt' = 'JWT',
): string {
  const signingInput = `${b64urlJson({ alg: key.alg, typ, kid: key.kid })}.${b64urlJson(payload)}`;
  const signature = cryptoSign(HASH[key.alg], Buffer.from(signingInput), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${signingInput}.${signature.toString('base64url')}`;
}

export interface DecodedJwt {
  header: { alg?: string; kid?: string; typ?: string };
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** Splits and parses a compact JWS; null when it is not one. Does not verify anything. */
export function decodeJwt(token: string): DecodedJwt | null {
  if (token.length > 8192) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (
      !header ||
      typeof header !== 'object' ||
      !payload ||
      typeof payload !== 'object' ||
      Array.isArray(payload)
    ) {
      return null;
    }
    return {
      header,
      payload,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2]!, 'base64url'),
    };
  } catch {
    return null;
  }
}

export function verifySignature(jwt: DecodedJwt, alg: JwtAlgorithm, publicKey: KeyObject): boolean {
  if (jwt.header.alg !== alg) return false;
  try {
    return cryptoVerify(
      HASH[alg],
      Buffer.from(jwt.signingInput),
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      jwt.signature,
    );
  } catch {
    return false;
  }
}

/**
 * OpenID Connect's `at_hash` (and `c_hash`): the left half of the hash of the token's ASCII,
 * base64url. The hash is the one of the ID token's algorithm: SHA-256 for RS256 and ES256,
 * SHA-512 for EdDSA over Ed25519.
 */
export function leftHalfHash(token: string, alg: JwtAlgorithm): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(token, 'ascii')
    .digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
