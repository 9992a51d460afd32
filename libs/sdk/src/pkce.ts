/**
 * PKCE (RFC 7636) and state helpers on the Web Crypto API (`crypto.getRandomValues`,
 * `crypto.subtle`), available in browsers and in Node >= 20 without imports.
 */

function webCrypto(): Crypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.getRandomValues || !c.subtle)
    throw new TypeError('Web Crypto (globalThis.crypto) is not available');
  return c;
}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomBase64Url(byteLength: number): string {
  const bytes = new Uint8Array(byteLength);
  webCrypto().getRandomValues(bytes);
  return base64Url(bytes);
}

/** A code verifier: 32 random bytes, base64url (43 characters of the RFC's alphabet). */
export function createCodeVerifier(): string {
  return randomBase64Url(32);
}

/** The S256 challenge of a verifier: base64url(SHA-256(verifier)). */
export async function createCodeChallenge(codeVerifier: string): Promise<string> {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(codeVerifier)) {
    throw new TypeError('A code verifier is 43-128 characters of [A-Za-z0-9-._~]');
  }
  const digest = await webCrypto().subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier));
  return base64Url(new Uint8Array(digest));
}

export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: 'S256';
}

/** A fresh verifier and its S256 challenge. Keep the verifier for `exchangeCode`. */
export async function createPkcePair(): Promise<PkcePair> {
  const codeVerifier = createCodeVerifier();
  return {
    codeVerifier,
    codeChallenge: await createCodeChallenge(codeVerifier),
    codeChallengeMethod: 'S256',
  };
}

/** A random `state` (or `nonce`) value: 16 random bytes, base64url. */
export function createState(): string {
  return randomBase64Url(16);
}
