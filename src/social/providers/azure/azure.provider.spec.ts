import { describe, expect, it } from 'vitest';
import { OIDC, oidcStartUrl, PUBLIC_URL, strategyOf } from '../provider.testing.js';
import { azure } from './azure.provider.js';

describe('Azure AD / Entra ID', () => {
  it('keeps no tokens and asks for no offline access', async () => {
    expect(strategyOf(azure, { azure: OIDC })?.keepsTokens).toBe(false);
    const url = await oidcStartUrl(azure);
    expect(url.searchParams.get('access_type')).toBeNull();
    expect(url.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/auth/azure-oauth-redirect`);
  });
});
