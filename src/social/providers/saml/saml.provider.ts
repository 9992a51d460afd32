import type { Profile } from '@node-saml/node-saml';
import {
  cleanEmail,
  cleanExternalId,
  cleanName,
  ProviderIdentity,
} from '../../protocols/provider-strategy.js';
import { SamlStrategy } from '../../protocols/saml.strategy.js';
import { defineProvider } from '../provider.js';

/** Attribute names IdPs commonly use (plain, LDAP/OID, and the WS-Federation claim URIs). */
const EMAIL_ATTRIBUTES = [
  'email',
  'mail',
  'urn:oid:0.9.2342.19200300.100.1.3',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
];
const FIRST_NAME_ATTRIBUTES = [
  'firstName',
  'givenName',
  'urn:oid:2.5.4.42',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
];
const LAST_NAME_ATTRIBUTES = [
  'lastName',
  'sn',
  'surname',
  'urn:oid:2.5.4.4',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
];

function first(profile: Profile, names: string[]): unknown {
  for (const name of names) {
    const value = profile[name];
    if (value !== undefined && value !== null) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * The person a verified assertion names: the NameID, and the email and names from the attributes
 * above (the first value of the first attribute present).
 */
export function samlIdentity(profile: Profile): ProviderIdentity {
  return {
    externalId: cleanExternalId(profile.nameID),
    email: cleanEmail(first(profile, EMAIL_ATTRIBUTES)),
    // The IdP is the one the operator configured for the service: its email is authoritative.
    emailVerified: true,
    firstName: cleanName(first(profile, FIRST_NAME_ATTRIBUTES)),
    lastName: cleanName(first(profile, LAST_NAME_ATTRIBUTES)),
  };
}

/**
 * The operator's SAML 2.0 IdP (SAML_ENTRY_POINT, SAML_ISSUER, SAML_IDP_CERT; SAML_AUDIENCE
 * defaults to SAML_ISSUER), answering at the assertion consumer service (ACS) /auth/saml-redirect.
 * Request IDs and assertion IDs are kept in Postgres (SamlStore).
 */
export const saml = defineProvider('saml', 'saml', 'SAML', '/auth/saml-redirect', (config, acsUrl, deps) => {
  return new SamlStrategy(config, acsUrl, deps.samlStore, samlIdentity);
});
