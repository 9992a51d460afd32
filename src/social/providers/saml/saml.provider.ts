import { SamlStrategy } from '../../protocols/saml.strategy.js';
import type { ProviderDefinition } from '../provider.js';

/** The assertion consumer service (ACS) the IdP posts its answers to. */
export const SAML_ACS = '/auth/saml-redirect';

/**
 * The operator's SAML 2.0 IdP (SAML_ENTRY_POINT, SAML_ISSUER, SAML_IDP_CERT; SAML_AUDIENCE
 * defaults to SAML_ISSUER). Request IDs and assertion IDs are kept in Postgres (SamlStore).
 */
export const saml: ProviderDefinition = {
  name: 'saml',
  protocol: 'saml',
  authMethod: 'SAML',
  callbackPath: SAML_ACS,
  create: ({ providers, publicUrl }, { samlStore }) =>
    providers.saml && new SamlStrategy(providers.saml, publicUrl + SAML_ACS, samlStore),
};
