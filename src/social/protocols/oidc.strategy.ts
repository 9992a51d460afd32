import { Logger } from '@nestjs/common';
import type * as OpenIdClient from 'openid-client';
import { lazy } from '../../common/lazy.js';
import type { OidcProviderConfig } from '../../config/config.js';
import { isLoopbackHost } from '../../config/config.js';
import type { AuthMethod } from '../../tokens/login-activity-recorder.js';
import { defineProvider, ProviderDefinition } from '../providers/provider.js';
import type {
  LoginSecrets,
  ProviderIdentity,
  ProviderName,
  ProviderStrategy,
  ProviderTokens,
} from './provider-strategy.js';
import { idTokenIdentity, PROVIDER_TIMEOUT_MS, ProviderError } from './provider-strategy.js';

/** openid-client is loaded by the first social login (start-up imports only what serves requests). */
let loaded: typeof OpenIdClient | undefined;
const openidClient = lazy(async () => (loaded = await import('openid-client')));

/** Discovery documents are fetched again after this long (keys rotate through jwks_uri anyway). */
const DISCOVERY_TTL_MS = 60 * 60_000;

export interface OidcOptions {
  name: ProviderName;
  config: OidcProviderConfig;
  callbackUrl: string;
  scope: string;
  /** Extra authorization request parameters (e.g. Google's access_type=offline). */
  authorizationParams?: Record<string, string>;
  /** Keep the provider's tokens for a provider logout. */
  keepsTokens?: boolean;
  /**
   * Also POST the refresh token to end_session_endpoint with the client's credentials (Keycloak's
   * back-channel logout); the RP-initiated logout of the standard needs a browser.
   */
  endSessionByPost?: boolean;
}

/** The scopes of an OpenID Connect login: the ID token's subject, email and names. */
const OIDC_SCOPE = 'openid email profile';

/** A provider configured as OpenID Connect (config.providers.<name> is an OidcProviderConfig). */
type OidcProviderName = 'google' | 'azure' | 'cognito' | 'keycloak';

/** The definition of an OpenID Connect provider: an OidcStrategy over its configuration. */
export function oidcProvider(
  name: OidcProviderName,
  authMethod: AuthMethod,
  callbackPath: string,
  options: Partial<Omit<OidcOptions, 'name' | 'config' | 'callbackUrl'>> = {},
): ProviderDefinition {
  return defineProvider(name, 'oidc', authMethod, callbackPath, (config, callbackUrl) => {
    return new OidcStrategy({ scope: OIDC_SCOPE, ...options, name, config, callbackUrl });
  });
}

/**
 * An OpenID Connect provider driven with openid-client: discovery from
 * `<issuer>/.well-known/openid-configuration`, authorization code flow with PKCE (S256), `state`
 * and `nonce`, and the ID token verified in full: signature against the provider's JWKS
 * (enableNonRepudiationChecks; without it openid-client trusts TLS instead), `iss`, `aud`, `exp`,
 * `iat` and `nonce`. Plain http is allowed only for loopback issuers (tests, a local Keycloak).
 */
export class OidcStrategy implements ProviderStrategy {
  readonly name: ProviderName;
  readonly callbackUrl: string;
  readonly keepsTokens: boolean;
  private readonly logger: Logger;
  private discovered: { config: Promise<OpenIdClient.Configuration>; at: number } | undefined;

  constructor(private readonly options: OidcOptions) {
    this.name = options.name;
    this.callbackUrl = options.callbackUrl;
    this.keepsTokens = options.keepsTokens ?? false;
    this.logger = new Logger(`Social:${options.name}`);
  }

  /** The discovered configuration, cached; a failed discovery is retried on the next login. */
  configuration(): Promise<OpenIdClient.Configuration> {
    const now = Date.now();
    if (!this.discovered || now - this.discovered.at > DISCOVERY_TTL_MS) {
      const config = this.discover();
      this.discovered = { config, at: now };
      config.catch(() => {
        if (this.discovered?.config === config) this.discovered = undefined;
      });
    }
    return this.discovered.config;
  }

  private async discover(): Promise<OpenIdClient.Configuration> {
    const client = await openidClient();
    const { issuer, clientId, clientSecret } = this.options.config;
    const url = new URL(issuer);
    const insecure = url.protocol === 'http:' && isLoopbackHost(url.hostname);
    const execute = insecure ? [client.allowInsecureRequests] : [];
    let found: OpenIdClient.Configuration;
    try {
      found = await client.discovery(url, clientId, clientSecret, undefined, {
        execute,
        timeout: PROVIDER_TIMEOUT_MS / 1000,
      });
    } catch (err) {
      throw new ProviderError(
        `discovery at ${issuer} failed: ${(err as Error).message}`,
        'provider unreachable',
      );
    }
    // RFC 8414: client_secret_basic is the default and what every server must support.
    const metadata = found.serverMetadata();
    const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    const auth =
      !methods.includes('client_secret_basic') && methods.includes('client_secret_post')
        ? client.ClientSecretPost(clientSecret)
        : client.ClientSecretBasic(clientSecret);
    const config = new client.Configuration(metadata, clientId, clientSecret, auth);
    if (insecure) client.allowInsecureRequests(config);
    client.enableNonRepudiationChecks(config);
    config.timeout = PROVIDER_TIMEOUT_MS / 1000;
    return config;
  }

  async begin(state: string): Promise<{ url: string; secrets: LoginSecrets }> {
    const client = await openidClient();
    const config = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      ...this.options.authorizationParams,
      redirect_uri: this.callbackUrl,
      response_type: 'code',
      scope: this.options.scope,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, secrets: { nonce, codeVerifier } };
  }

  async finish(params: URLSearchParams, secrets: LoginSecrets, state: string): Promise<ProviderIdentity> {
    const client = await openidClient();
    const config = await this.configuration();
    if (!secrets.nonce || !secrets.codeVerifier) throw new ProviderError('the login state lacks its nonce');
    // The callback URL as the provider called it: openid-client takes redirect_uri from it.
    const current = new URL(this.callbackUrl);
    for (const [key, value] of params) current.searchParams.append(key, value);
    let tokens: OpenIdClient.TokenEndpointResponse & OpenIdClient.TokenEndpointResponseHelpers;
    try {
      tokens = await client.authorizationCodeGrant(config, current, {
        expectedState: state,
        expectedNonce: secrets.nonce,
        pkceCodeVerifier: secrets.codeVerifier,
        idTokenExpected: true,
      });
    } catch (err) {
      throw toProviderError(err);
    }
    assertSignedJwt(tokens.id_token);
    const claims = tokens.claims();
    if (!claims) throw new ProviderError('the provider sent no ID token');
    return {
      ...idTokenIdentity(claims),
      tokens: this.keepsTokens
        ? { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token }
        : undefined,
    };
  }

  /**
   * Revokes the refresh token (else the access token) at revocation_endpoint and, for Keycloak,
   * ends the provider session at end_session_endpoint. Both are tried; the first failure is thrown.
   */
  async endSession(tokens: ProviderTokens): Promise<void> {
    const client = await openidClient();
    const config = await this.configuration();
    const metadata = config.serverMetadata();
    const work: Promise<unknown>[] = [];
    if (this.options.endSessionByPost && metadata.end_session_endpoint && tokens.refreshToken) {
      work.push(this.postEndSession(metadata.end_session_endpoint, tokens));
    }
    if (metadata.revocation_endpoint) {
      const [token, hint] = tokens.refreshToken
        ? [tokens.refreshToken, 'refresh_token']
        : [tokens.accessToken, 'access_token'];
      if (token) work.push(client.tokenRevocation(config, token, { token_type_hint: hint }));
    }
    const results = await Promise.allSettled(work);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw toProviderError(failed.reason);
  }

  private async postEndSession(endpoint: string, tokens: ProviderTokens): Promise<void> {
    const { clientId, clientSecret } = this.options.config;
    const body = new URLSearchParams({ client_id: clientId, client_secret: clientSecret });
    body.set('refresh_token', tokens.refreshToken!);
    if (tokens.idToken) body.set('id_token_hint', tokens.idToken);
    const res = await fetch(endpoint, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
    await res.body?.cancel();
    if (res.status >= 400) throw new ProviderError(`end_session_endpoint answered ${res.status}`);
    this.logger.debug(`end_session_endpoint answered ${res.status}`);
  }
}

/** Refuses an unsigned (`alg: none`) or malformed ID token before anything trusts its claims. */
function assertSignedJwt(jwt: string | undefined): void {
  if (!jwt) throw new ProviderError('the provider sent no ID token');
  let alg: unknown;
  try {
    alg = (
      JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown }
    ).alg;
  } catch {
    throw new ProviderError('the ID token is malformed');
  }
  if (typeof alg !== 'string' || alg.toLowerCase() === 'none' || alg.startsWith('HS')) {
    throw new ProviderError(`the ID token is not signed with the provider's keys (alg ${String(alg)})`);
  }
}

/** openid-client's errors, reduced to a ProviderError with a safe reason (the OAuth error code). */
export function toProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (
    loaded &&
    (err instanceof loaded.AuthorizationResponseError || err instanceof loaded.ResponseBodyError)
  ) {
    const reason = /^[\w.-]{1,64}$/.test(err.error) ? err.error : 'provider error';
    return new ProviderError(`${err.error}: ${err.error_description ?? ''}`, reason);
  }
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return new ProviderError(message + cause);
}
