import { describe, expect, it } from 'vitest';
import { OIDC, oidcStartUrl, PUBLIC_URL, strategyOf } from '../provider.testing.js';
import { google } from './google.provider.js';

describe('Google', () => {
  it('is on when GOOGLE_* are set, and keeps its tokens for /google/logout', () => {
    expect(strategyOf(google, {})).toBeUndefined();
    expect(strategyOf(google, { google: OIDC })).toMatchObject({
      callbackUrl: `${PUBLIC_URL}/auth/google-auth-redirect`,
      keepsTokens: true,
    });
  });

  it('asks for the OpenID scopes and offline access (a refresh token), with PKCE', async () => {
    const url = await oidcStartUrl(google);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      scope: 'openid email profile',
      access_type: 'offline',
      code_challenge_method: 'S256',
      redirect_uri: `${PUBLIC_URL}/auth/google-auth-redirect`,
    });
  });
});
