import type { AppConfig, ProvidersConfig } from '../../config/config.js';
import type { AuthMethod } from '../../tokens/login-activity-recorder.js';
import type { ProviderName, ProviderStrategy } from '../protocols/provider-strategy.js';
import type { SamlStore } from '../saml-store.js';

/**
 * The protocol a provider speaks, and so the Passport strategy its routes run (passport/):
 * OpenID Connect (openid-client), plain OAuth 2.0 (Facebook, Instagram), SAML 2.0, and Sign in with
 * Apple (OpenID Connect without discovery, a signed client-secret JWT and a form_post callback).
 */
export const PROTOCOLS = ['oidc', 'oauth2', 'apple', 'saml'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** What a provider's strategy may need besides the configuration. */
export interface ProviderDeps {
  samlStore: SamlStore;
}

/**
 * One provider of API.md section 5 (providers/<name>/): its protocol, its login activity's
 * authMethod, the callback route it is registered with, and its strategy, built from its
 * configuration (config.providers.<name>, read from its environment variables at startup).
 */
export interface ProviderDefinition {
  readonly name: ProviderName;
  readonly protocol: Protocol;
  readonly authMethod: AuthMethod;
  /** The callback route (the provider's redirect URI is PUBLIC_URL + this path). */
  readonly callbackPath: string;
  /** The provider's strategy; undefined while its environment variables are unset. */
  create(config: AppConfig, deps: ProviderDeps): ProviderStrategy | undefined;
}

/**
 * The definition of a provider configured by `config.providers[name]` (absent while its
 * environment variables are unset), its strategy built by `build` for PUBLIC_URL + `callbackPath`.
 */
export function defineProvider<N extends ProviderName>(
  name: N,
  protocol: Protocol,
  authMethod: AuthMethod,
  callbackPath: string,
  build: (
    config: NonNullable<ProvidersConfig[N]>,
    callbackUrl: string,
    deps: ProviderDeps,
  ) => ProviderStrategy,
): ProviderDefinition {
  return {
    name,
    protocol,
    authMethod,
    callbackPath,
    create: ({ providers, publicUrl }, deps) => {
      const config = providers[name];
      return config && build(config as NonNullable<ProvidersConfig[N]>, publicUrl + callbackPath, deps);
    },
  };
}
