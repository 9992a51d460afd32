import type { ClientCore } from './auth-client.js';
import { ApiError } from './errors.js';
import type {
  LoginStateResponse,
  PasskeyMethod,
  PasskeyMfaParams,
  PasswordGrantResponse,
  RegisterPasskeyParams,
  SignInWithPasskeyParams,
} from './models.js';

/**
 * Passkeys (API.md section 13) in a browser: the service's WebAuthn JSON options go through the
 * browser's own `PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON`
 * and `credential.toJSON()` (WebAuthn Level 3), so this SDK carries no CBOR or base64url code and
 * no dependency. Outside a browser with WebAuthn these reject with a TypeError.
 */

interface JsonCredential {
  toJSON(): unknown;
}

interface WebAuthnApi {
  parseCreationOptionsFromJSON(options: unknown): unknown;
  parseRequestOptionsFromJSON(options: unknown): unknown;
}

interface CredentialsContainerLike {
  create(options: { publicKey: unknown }): Promise<unknown>;
  get(options: { publicKey: unknown }): Promise<unknown>;
}

function browserWebAuthn(): { api: WebAuthnApi; credentials: CredentialsContainerLike } {
  const g = globalThis as {
    PublicKeyCredential?: Partial<WebAuthnApi>;
    navigator?: { credentials?: Partial<CredentialsContainerLike> };
  };
  const api = g.PublicKeyCredential;
  const credentials = g.navigator?.credentials;
  if (!api?.parseCreationOptionsFromJSON || !api.parseRequestOptionsFromJSON || !credentials?.create) {
    throw new TypeError('Passkeys need a browser with WebAuthn Level 3 (PublicKeyCredential.parse*FromJSON)');
  }
  return { api: api as WebAuthnApi, credentials: credentials as CredentialsContainerLike };
}

function asJson(credential: unknown): unknown {
  if (!credential || typeof (credential as JsonCredential).toJSON !== 'function') {
    throw new TypeError('The browser answered no credential');
  }
  return (credential as JsonCredential).toJSON();
}

/** Creates a passkey for the member of the stored tokens and registers it. */
export async function registerPasskey(
  core: ClientCore,
  params: RegisterPasskeyParams = {},
): Promise<PasskeyMethod> {
  if (!(await core.getTokens('member'))) {
    throw new ApiError(401, 'UNAUTHORIZED', 'registerPasskey needs the member tokens of a signed-in member');
  }
  const { api, credentials } = browserWebAuthn();
  const start = await core.call<{ stateToken: string; options: unknown }>('member', {
    method: 'POST',
    path: '/auth/v2/mfa/methods/passkey/options',
    body: params.name !== undefined ? { name: params.name } : {},
  });
  const created = await credentials.create({ publicKey: api.parseCreationOptionsFromJSON(start.options) });
  return core.call<PasskeyMethod>('member', {
    method: 'POST',
    path: '/auth/v2/mfa/methods/passkey',
    body: { stateToken: start.stateToken, credential: asJson(created) },
  });
}

/** Signs in with a passkey (with a visitor token of this client); resolves to the /auth/v2/login answer. */
export async function signInWithPasskey(
  core: ClientCore,
  params: SignInWithPasskeyParams = {},
): Promise<LoginStateResponse> {
  const { api, credentials } = browserWebAuthn();
  const start = await core.call<{ stateToken: string; options: unknown }>('visitor', {
    method: 'POST',
    path: '/auth/v2/login/passkey/options',
    body: params.email !== undefined ? { loginId: { email: params.email } } : {},
  });
  const asserted = await credentials.get({ publicKey: api.parseRequestOptionsFromJSON(start.options) });
  return core.call<LoginStateResponse>('visitor', {
    method: 'POST',
    path: '/auth/v2/login/passkey',
    body: { stateToken: start.stateToken, credential: asJson(asserted) },
  });
}

/** Finishes a password grant's MFA challenge with a passkey method; answers the token answer. */
export async function confirmMfaWithPasskey(
  core: ClientCore,
  params: PasskeyMfaParams,
): Promise<PasswordGrantResponse> {
  const { api, credentials } = browserWebAuthn();
  const start = await core.send<{ options: unknown }>('POST', '/auth/v2/oauth1/tokens/mfa/options', {
    token: params.token,
    methodId: params.methodId,
  });
  const asserted = await credentials.get({ publicKey: api.parseRequestOptionsFromJSON(start.options) });
  return core.send<PasswordGrantResponse>('POST', '/auth/v2/oauth1/tokens/mfa', {
    token: params.token,
    methodId: params.methodId,
    credential: asJson(asserted),
  });
}
