import { SamlStrategy } from '../../protocols/saml.strategy.js';
import { defineProvider } from '../provider.js';

/**
 * The operator's SAML 2.0 IdP (SAML_ENTRY_POINT, SAML_ISSUER, SAML_IDP_CERT; SAML_AUDIENCE
 * defaults to SAML_ISSUER), answering at the assertion consumer service (ACS) /auth/saml-redirect.
 * Request IDs and assertion IDs are kept in Postgres (SamlStore).
 */
export const saml = defineProvider('saml', 'saml', 'SAML', '/auth/saml-redirect', (config, acsUrl, deps) => {
  return new SamlStrategy(config, acsUrl, deps.samlStore);
});
