import { describe, expect, it } from 'vitest';
import { clientLink, withToken } from './links.js';

describe('mailed links', () => {
  const client = {
    resetPasswordUrl: 'https://app.example.com/reset',
    signUpUrl: 'https://app.example.com/join?ref=mail',
    redirectUrls: ['https://app.example.com/cb', 'https://other.example.com/cb'],
  };

  it("opens the client's own page for each kind", () => {
    expect(clientLink(client, 'reset-password', 'tok', 'https://auth.example.com')).toBe(
      'https://app.example.com/reset?token=tok',
    );
    expect(clientLink(client, 'sign-up', 'tok', 'https://auth.example.com')).toBe(
      'https://app.example.com/join?ref=mail&token=tok',
    );
  });

  it('falls back to the first redirect URL, then to the service', () => {
    const bare = { resetPasswordUrl: null, signUpUrl: null, redirectUrls: ['myapp://cb'] };
    expect(clientLink(bare, 'reset-password', 'tok', 'https://auth.example.com')).toBe(
      'myapp://cb?token=tok',
    );
    expect(clientLink({ ...bare, redirectUrls: [] }, 'sign-up', 'tok', 'https://auth.example.com')).toBe(
      'https://auth.example.com/?token=tok',
    );
  });

  it('replaces an existing token parameter and keeps fragments after the query', () => {
    expect(withToken('https://a.example/p?token=old&x=1#frag', 'new')).toBe(
      'https://a.example/p?token=new&x=1#frag',
    );
  });
});
