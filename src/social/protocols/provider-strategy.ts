/** The providers of API.md section 5, by the name their routes and credentials use. */
export const PROVIDER_NAMES = [
  'google',
  'azure',
  'apple',
  'cognito',
  'facebook',
  'instagram',
  'keycloak',
  'saml',
] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Tokens a provider gave us, kept (encrypted) only where a provider logout needs them. */
export interface ProviderTokens {
  accessToken?: string;
  refreshToken?: string;
  idToken?: string;
}

/** What a provider proved about the person, after every check passed. */
export interface ProviderIdentity {
  /** The ID token's `sub`, the profile's `id`, or the SAML NameID. */
  externalId: string;
  email: string | null;
  /** Only `email_verified` true (or Apple's "true") counts. */
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  tokens?: ProviderTokens;
}

/** Per-login secrets kept (sealed) in the state row between the start and the callback. */
export interface LoginSecrets {
  nonce?: string;
  codeVerifier?: string;
  samlRequestId?: string;
}

/**
 * One identity provider. `begin` builds the URL the browser is sent to for a state we minted;
 * `finish` checks the provider's answer for that state (exchanging the code, verifying every
 * signature and claim) and answers who logged in, or throws (any error is a PROVIDER_ERROR).
 */
export interface ProviderStrategy {
  readonly name: ProviderName;
  /** Where the provider sends the browser back: PUBLIC_URL + the callback route. */
  readonly callbackUrl: string;
  /** Whether provider tokens are kept for a provider logout (/google/logout, /keycloak/logout). */
  readonly keepsTokens: boolean;
  begin(state: string): Promise<{ url: string; secrets: LoginSecrets }>;
  finish(params: URLSearchParams, secrets: LoginSecrets, state: string): Promise<ProviderIdentity>;
  /** Ends the person's session at the provider (revocation / end-session endpoints); may throw. */
  endSession?(tokens: ProviderTokens): Promise<void>;
}

/** A failure on the provider's side or in what it sent; answered as 401 PROVIDER_ERROR. */
export class ProviderError extends Error {
  constructor(
    message: string,
    /** A short, safe reason shown to the caller (an OAuth error code such as access_denied). */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** `email_verified` as providers send it: a boolean, or Apple's and Cognito's string "true". */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

const EMAIL = /^[^\s@]{1,200}@[^\s@]{1,200}$/;

/** A plausible email, trimmed, or null. */
export function cleanEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim();
  return email.length <= 320 && EMAIL.test(email) ? email : null;
}

/** A display name part, trimmed and bounded, or null. */
export function cleanName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const name = value.trim().slice(0, 200);
  return name || null;
}

/** External ids are stored in user_credential.external_id (320 characters). */
export function cleanExternalId(value: unknown): string {
  const id = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof id !== 'string' || !id || id.length > 320) {
    throw new ProviderError('the provider sent no usable subject identifier');
  }
  return id;
}

/**
 * The person verified ID token claims name: `sub`, `email`, `email_verified`, and the names
 * (`given_name` / `family_name` unless the provider gives them elsewhere, as Apple does).
 */
export function idTokenIdentity(
  claims: Record<string, unknown>,
  names = { firstName: cleanName(claims.given_name), lastName: cleanName(claims.family_name) },
): ProviderIdentity {
  return {
    externalId: cleanExternalId(claims.sub),
    email: cleanEmail(claims.email),
    emailVerified: isTrue(claims.email_verified),
    ...names,
  };
}

/** A login has this long between the start route and the provider's callback. */
export const PROVIDER_STATE_TTL_S = 600;

/** Every provider request gives up after this long, so no request hangs on a slow provider. */
export const PROVIDER_TIMEOUT_MS = 10_000;
