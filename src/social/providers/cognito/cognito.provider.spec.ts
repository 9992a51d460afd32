import { describe, expect, it } from 'vitest';
import { OIDC, oidcStartUrl, strategyOf } from '../provider.testing.js';
import { cognito } from './cognito.provider.js';

describe('Amazon Cognito', () => {
  it('is off until COGNITO_* are set; its start carries state, nonce and the OpenID scopes', async () => {
    expect(strategyOf(cognito, { google: OIDC })).toBeUndefined();
    const params = (await oidcStartUrl(cognito)).searchParams;
    expect([params.get('state'), params.get('scope'), params.get('client_id')]).toEqual([
      'the-state',
      'openid email profile',
      OIDC.clientId,
    ]);
    expect(params.get('nonce')).toBeTruthy();
  });
});
