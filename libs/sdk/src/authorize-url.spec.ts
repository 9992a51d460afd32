import { describe, expect, it } from 'vitest';
import { buildAuthorizeUrl, parseAuthorizeCallback } from './authorize-url.js';

describe('buildAuthorizeUrl / parseAuthorizeCallback', () => {
  const base = {
    baseUrl: 'https://auth.example.com/',
    clientId: 'console:1',
    redirectUri: 'https://auth.example.com/console/callback',
    codeChallenge: 'x'.repeat(43),
    state: 's t&=',
  };

  it('builds the standard PKCE query on the base URL', () => {
    const url = new URL(buildAuthorizeUrl(base));
    expect(url.origin + url.pathname).toBe('https://auth.example.com/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'console:1',
      redirect_uri: 'https://auth.example.com/console/callback',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
      state: 's t&=',
      scope: 'openid offline_access',
    });
  });

  it('adds prompt, nonce, response_mode and login_hint only when given', () => {
    const url = new URL(
      buildAuthorizeUrl({
        ...base,
        prompt: 'none',
        nonce: 'n',
        responseMode: 'fragment',
        loginHint: 'a@b.c',
      }),
    );
    expect(url.searchParams.get('prompt')).toBe('none');
    expect(url.searchParams.get('nonce')).toBe('n');
    expect(url.searchParams.get('response_mode')).toBe('fragment');
    expect(url.searchParams.get('login_hint')).toBe('a@b.c');
  });

  it('reads a code or an error from the query or the fragment', () => {
    expect(parseAuthorizeCallback('https://a.example/cb?code=c1&state=s1')).toEqual({
      code: 'c1',
      state: 's1',
      error: null,
      errorDescription: null,
    });
    expect(parseAuthorizeCallback('https://a.example/cb#error=login_required&state=s2')).toEqual({
      code: null,
      state: 's2',
      error: 'login_required',
      errorDescription: null,
    });
  });
});
