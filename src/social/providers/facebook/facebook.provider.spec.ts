import { describe, expect, it } from 'vitest';
import { PUBLIC_URL, strategyOf } from '../provider.testing.js';
import { facebook, facebookProfile } from './facebook.provider.js';

const FACEBOOK = {
  clientId: 'app-id',
  clientSecret: 'app-secret',
  authorizationUrl: 'https://www.facebook.com/dialog/oauth',
  tokenUrl: 'https://graph.facebook.com/oauth/access_token',
  userinfoUrl: 'https://graph.facebook.com/me',
};

describe('Facebook', () => {
  it('maps a Graph API /me answer; its email never counts as verified', () => {
    const me = { id: 1234, email: ' ada@example.com ', first_name: 'Ada', last_name: 'Lovelace', name: 'x' };
    expect(facebookProfile(me)).toEqual({
      externalId: '1234',
      email: 'ada@example.com',
      emailVerified: false,
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    expect(() => facebookProfile({ email: 'ada@example.com' })).toThrow(/subject identifier/);
  });

  it('asks for email and public_profile (comma-separated) at the configured dialog', async () => {
    const { url } = await strategyOf(facebook, { facebook: FACEBOOK })!.begin('the-state');
    const start = new URL(url);
    expect(start.origin + start.pathname).toBe(FACEBOOK.authorizationUrl);
    expect(start.searchParams.get('scope')).toBe('email,public_profile');
    expect(start.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/auth/facebook-auth-redirect`);
  });
});
