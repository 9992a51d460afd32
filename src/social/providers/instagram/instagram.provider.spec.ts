import { describe, expect, it } from 'vitest';
import { strategyOf } from '../provider.testing.js';
import { instagram, instagramProfile } from './instagram.provider.js';

describe('Instagram', () => {
  it('maps a /me answer: no email, the display name as the first name', () => {
    expect(instagramProfile({ id: '1784', username: 'ada', name: ' Ada L. ', email: 'x@y.z' })).toEqual({
      externalId: '1784',
      email: null,
      emailVerified: false,
      firstName: 'Ada L.',
      lastName: null,
    });
  });

  it('asks for instagram_business_basic', async () => {
    const config = { clientId: 'a', clientSecret: 'b', authorizationUrl: 'https://ig.test/authorize' };
    const strategy = strategyOf(instagram, {
      instagram: { ...config, tokenUrl: 'https://ig.test/token', userinfoUrl: 'https://ig.test/me' },
    });
    const { url } = await strategy!.begin('s');
    expect(new URL(url).searchParams.get('scope')).toBe('instagram_business_basic');
  });
});
