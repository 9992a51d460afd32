import { describe, expect, it } from 'vitest';
import type { SamlStrategy } from '../../protocols/saml.strategy.js';
import { PUBLIC_URL, strategyOf } from '../provider.testing.js';
import { saml } from './saml.provider.js';

describe('SAML', () => {
  it('publishes our entity id and the ACS, wanting signed assertions', () => {
    const config = {
      entryPoint: 'https://idp.example.com/sso',
      issuer: 'https://auth.example.com/auth/saml/metadata',
      idpCerts: ['MIIB'],
      audience: 'https://auth.example.com/auth/saml/metadata',
    };
    const metadata = (strategyOf(saml, { saml: config }) as SamlStrategy).metadata();
    expect(metadata).toContain(`entityID="${config.issuer}"`);
    expect(metadata).toContain(`Location="${PUBLIC_URL}/auth/saml-redirect"`);
    expect(metadata).toContain('WantAssertionsSigned="true"');
  });
});
