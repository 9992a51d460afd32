import * as client from 'openid-client';
import type { AppConfig, ProvidersConfig } from '../../config/config.js';
import { OidcStrategy } from '../protocols/oidc.strategy.js';
import type { ProviderStrategy } from '../protocols/provider-strategy.js';
import type { SamlStore } from '../saml-store.js';
import type { ProviderDefinition } from './provider.js';

/* For the providers' unit specs (providers/<name>/*.spec.ts): no network, no database. */

export const PUBLIC_URL = 'https://auth.example.com';
export const OIDC = { clientId: 'our-client', clientSecret: 'our-secret', issuer: 'https://idp.example.com' };

/** The strategy a definition builds with these providers configured (undefined when it is not). */
export function strategyOf(
  definition: ProviderDefinition,
  providers: ProvidersConfig,
): ProviderStrategy | undefined {
  return definition.create({ providers, publicUrl: PUBLIC_URL } as AppConfig, { samlStore: {} as SamlStore });
}

/** Where an OpenID Connect provider's start sends the browser (its discovery answered locally). */
export async function oidcStartUrl(definition: ProviderDefinition): Promise<URL> {
  const strategy = strategyOf(definition, { [definition.name]: OIDC });
  if (!(strategy instanceof OidcStrategy)) throw new Error(`${definition.name} is not OpenID Connect`);
  const metadata = { issuer: OIDC.issuer, authorization_endpoint: `${OIDC.issuer}/authorize` };
  const config = new client.Configuration(metadata, OIDC.clientId, OIDC.clientSecret);
  strategy.configuration = () => Promise.resolve(config);
  return new URL((await strategy.begin('the-state')).url);
}
