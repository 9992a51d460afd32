import { describe, expect, it } from 'vitest';
import { OidcStrategy } from '../../protocols/oidc.strategy.js';
import { OIDC, strategyOf } from '../provider.testing.js';
import { keycloak } from './keycloak.provider.js';

describe('Keycloak', () => {
  it('is OpenID Connect and keeps its tokens for /keycloak/logout', () => {
    const strategy = strategyOf(keycloak, { keycloak: OIDC });
    expect(strategy).toBeInstanceOf(OidcStrategy);
    expect(strategy?.keepsTokens).toBe(true);
    expect(keycloak).toMatchObject({ protocol: 'oidc', authMethod: 'KEYCLOAK' });
  });
});
