import type { Profile } from '@node-saml/node-saml';
import { describe, expect, it } from 'vitest';
import type { SamlStrategy } from '../../protocols/saml.strategy.js';
import { PUBLIC_URL, strategyOf } from '../provider.testing.js';
import { saml, samlIdentity } from './saml.provider.js';

describe('SAML', () => {
  it('publishes our entity id and the ACS, wanting signed assertions', async () => {
    const config = {
      entryPoint: 'https://idp.example.com/sso',
      issuer: 'https://auth.example.com/auth/saml/metadata',
      idpCerts: ['MIIB'],
      audience: 'https://auth.example.com/auth/saml/metadata',
    };
    const metadata = await (strategyOf(saml, { saml: config }) as SamlStrategy).metadata();
    expect(metadata).toContain(`entityID="${config.issuer}"`);
    expect(metadata).toContain(`Location="${PUBLIC_URL}/auth/saml-redirect"`);
    expect(metadata).toContain('WantAssertionsSigned="true"');
  });

  it('maps the NameID and the first email and name attributes present; the email counts as verified', () => {
    const profile = {
      issuer: 'https://idp.example.com',
      nameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      nameID: 'u-42',
      'urn:oid:0.9.2342.19200300.100.1.3': ['ada@example.com', 'other@example.com'],
      'urn:oid:2.5.4.42': 'Ada',
      sn: 'Lovelace',
    };
    // A multi-valued attribute arrives as an array.
    expect(samlIdentity(profile as unknown as Profile)).toEqual({
      externalId: 'u-42',
      email: 'ada@example.com',
      emailVerified: true,
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
  });
});
