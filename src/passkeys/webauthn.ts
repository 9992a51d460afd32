import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

/**
 * Small helpers around the WebAuthn JSON forms (API.md section 13): the server half is
 * @simplewebauthn/server; what is here only reads the few fields needed before it runs.
 */

const B64URL = /^[A-Za-z0-9_-]+$/;

/** The challenge a response answers (from its clientDataJSON), or null when it cannot be read. */
export function challengeOf(credential: unknown): string | null {
  const json = (credential as { response?: { clientDataJSON?: unknown } } | null)?.response?.clientDataJSON;
  if (typeof json !== 'string' || json.length > 8192 || !B64URL.test(json)) return null;
  try {
    const data = JSON.parse(Buffer.from(json, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof data.challenge === 'string' && B64URL.test(data.challenge) ? data.challenge : null;
  } catch {
    return null;
  }
}

/** The credential id a response names, or null. */
export function credentialIdOf(credential: unknown): string | null {
  const id = (credential as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 1400 && B64URL.test(id) ? id : null;
}

/** An assertion response, typed once its outer shape was checked (the library checks the rest). */
export function asAssertion(credential: unknown): AuthenticationResponseJSON {
  return credential as AuthenticationResponseJSON;
}

export function asRegistration(credential: unknown): RegistrationResponseJSON {
  return credential as RegistrationResponseJSON;
}

/** The WebAuthn user handle of a user: the 16 bytes of their id (no personal data). */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(16);
  bytes.set(Buffer.from(userId.replace(/-/g, ''), 'hex'));
  return bytes;
}

/** The user handle as it comes back in an assertion (base64url). */
export function userHandleB64(userId: string): string {
  return Buffer.from(userHandleOf(userId)).toString('base64url');
}

/**
 * The origins a ceremony may come from: PUBLIC_URL's origin, and for a ceremony of a client that
 * client's allowedOrigins whose host is the RP id or below it (a page elsewhere could not use
 * passkeys of this RP id anyway; listing it would only widen what is accepted).
 */
export function acceptedOrigins(
  publicUrl: string,
  rpId: string,
  clientOrigins: readonly string[] = [],
): string[] {
  const out = new Set<string>([new URL(publicUrl).origin]);
  for (const origin of clientOrigins) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      continue;
    }
    const host = url.hostname.toLowerCase();
    if (host === rpId || host.endsWith(`.${rpId}`)) out.add(url.origin);
  }
  return [...out];
}
