import type { ProviderName } from '../protocols/provider-strategy.js';
import { apple } from './apple/apple.provider.js';
import { azure } from './azure/azure.provider.js';
import { cognito } from './cognito/cognito.provider.js';
import { facebook } from './facebook/facebook.provider.js';
import { google } from './google/google.provider.js';
import { instagram } from './instagram/instagram.provider.js';
import { keycloak } from './keycloak/keycloak.provider.js';
import type { ProviderDefinition } from './provider.js';
import { saml } from './saml/saml.provider.js';

/** Every provider of API.md section 5, by name (one folder each). */
export const PROVIDERS: Record<ProviderName, ProviderDefinition> = {
  google,
  azure,
  apple,
  cognito,
  facebook,
  instagram,
  keycloak,
  saml,
};
