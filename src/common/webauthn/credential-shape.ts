import { registerDecorator, ValidationOptions } from 'class-validator';

/**
 * The outer shape of a WebAuthn Level 3 JSON response (`credential.toJSON()` of a browser), checked
 * at the door so that a malformed body is a 422 and never reaches the verifier; the verifier
 * (@simplewebauthn/server) checks the rest. Browsers add fields over time (extension results,
 * `publicKey` and `transports` of a registration), so unknown members are allowed inside it; the
 * sizes are bounded.
 */
export type CredentialKind = 'registration' | 'assertion';

const B64URL = /^[A-Za-z0-9_-]*$/;
const REQUIRED: Record<CredentialKind, string[]> = {
  registration: ['clientDataJSON', 'attestationObject'],
  assertion: ['clientDataJSON', 'authenticatorData', 'signature'],
};

const isB64 = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max && B64URL.test(v);

export function credentialProblem(value: unknown, kind: CredentialKind): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object';
  const c = value as Record<string, unknown>;
  if (!isB64(c.id, 1400)) return 'id must be a base64url string';
  if (!isB64(c.rawId, 1400)) return 'rawId must be a base64url string';
  if (c.type !== 'public-key') return 'type must be "public-key"';
  const r = c.response;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return 'response must be an object';
  const response = r as Record<string, unknown>;
  for (const field of REQUIRED[kind]) {
    if (!isB64(response[field], 16_384)) return `response.${field} must be a base64url string`;
  }
  if (kind === 'assertion' && response.userHandle !== undefined && response.userHandle !== null) {
    if (!isB64(response.userHandle, 512)) return 'response.userHandle must be a base64url string';
  }
  const ext = c.clientExtensionResults;
  if (ext !== undefined && (typeof ext !== 'object' || ext === null || Array.isArray(ext))) {
    return 'clientExtensionResults must be an object';
  }
  const attachment = c.authenticatorAttachment;
  if (attachment !== undefined && attachment !== null && typeof attachment !== 'string') {
    return 'authenticatorAttachment must be a string';
  }
  return null;
}

/** Validates a WebAuthn JSON response of the given kind (see `credentialProblem`). */
export function IsWebAuthnCredential(kind: CredentialKind, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isWebAuthnCredential',
      target: target.constructor,
      propertyName,
      constraints: [kind],
      options,
      validator: {
        validate: (value: unknown) => credentialProblem(value, kind) === null,
        defaultMessage: (args) =>
          `${args?.property ?? 'credential'}: ${credentialProblem(args?.value, kind) ?? 'is invalid'}`,
      },
    });
}

/** The members both JSON forms share, around their own `response`. */
const CREDENTIAL_MEMBERS = {
  id: { type: 'string', description: 'base64url' },
  rawId: { type: 'string', description: 'base64url' },
  type: { type: 'string', enum: ['public-key'] },
  authenticatorAttachment: { type: 'string', nullable: true },
  clientExtensionResults: { type: 'object' },
} as const;

/** Swagger schemas of the two JSON forms (the members this service reads; browsers send more). */
export const REGISTRATION_RESPONSE_SCHEMA = {
  type: 'object',
  description: 'RegistrationResponseJSON: `credential.toJSON()` of navigator.credentials.create()',
  required: ['id', 'rawId', 'type', 'response'],
  properties: {
    ...CREDENTIAL_MEMBERS,
    response: {
      type: 'object',
      required: ['clientDataJSON', 'attestationObject'],
      properties: {
        clientDataJSON: { type: 'string' },
        attestationObject: { type: 'string' },
        authenticatorData: { type: 'string' },
        transports: { type: 'array', items: { type: 'string' } },
        publicKey: { type: 'string' },
        publicKeyAlgorithm: { type: 'integer' },
      },
    },
  },
} as const;

export const AUTHENTICATION_RESPONSE_SCHEMA = {
  type: 'object',
  description: 'AuthenticationResponseJSON: `credential.toJSON()` of navigator.credentials.get()',
  required: ['id', 'rawId', 'type', 'response'],
  properties: {
    ...CREDENTIAL_MEMBERS,
    response: {
      type: 'object',
      required: ['clientDataJSON', 'authenticatorData', 'signature'],
      properties: {
        clientDataJSON: { type: 'string' },
        authenticatorData: { type: 'string' },
        signature: { type: 'string' },
        userHandle: { type: 'string', nullable: true },
      },
    },
  },
} as const;
