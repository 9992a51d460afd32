import { describe, expect, it } from 'vitest';
import type { AuthClient } from '../identity/identity.types.js';
import { s256 } from '../tokens/pkce.js';
import { parseScope, validateAuthRequest } from './auth-request.js';

const client = {
  clientId: 'spa',
  redirectUrls: ['https://app.example.com/callback', 'myapp://callback'],
  allowedOrigins: ['https://app.example.com'],
} as AuthClient;
const challenge = s256('a'.repeat(43));
const base = {
  responseType: 'code',
  responseMode: 'query',
  codeChallenge: challenge,
  codeChallengeMethod: 'S256',
};

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('validateAuthRequest', () => {
  it('defaults the redirect URI to the first registered one and keeps state and nonce', () => {
    expect(
      validateAuthRequest(client, { ...base, state: 's', nonce: 'n', scope: 'openid offline_access' }),
    ).toEqual({
      clientId: 'spa',
      redirectUri: 'https://app.example.com/callback',
      responseMode: 'query',
      state: 's',
      nonce: 'n',
      scope: 'openid offline_access',
      codeChallenge: challenge,
    });
  });

  it('wants an exact redirect URI match', () => {
    for (const redirectUri of [
      'https://app.example.com/callback/',
      'https://APP.example.com/callback',
      'https://app.example.com/callback?x=1',
    ]) {
      expect(codeOf(() => validateAuthRequest(client, { ...base, redirectUri }))).toBe(
        'INVALID_REDIRECT_URI',
      );
    }
  });

  it('accepts S256 only, with a well-formed challenge', () => {
    expect(codeOf(() => validateAuthRequest(client, { ...base, codeChallengeMethod: 'plain' }))).toBe(
      'INVALID_REQUEST',
    );
    expect(codeOf(() => validateAuthRequest(client, { ...base, codeChallengeMethod: 's256' }))).toBe(
      'INVALID_REQUEST',
    );
    expect(codeOf(() => validateAuthRequest(client, { ...base, codeChallenge: 'short' }))).toBe(
      'INVALID_REQUEST',
    );
    expect(codeOf(() => validateAuthRequest(client, { ...base, codeChallenge: undefined }))).toBe(
      'INVALID_REQUEST',
    );
  });

  it('web_message needs the redirect origin among the allowed origins', () => {
    expect(validateAuthRequest(client, { ...base, responseMode: 'web_message' }).responseMode).toBe(
      'web_message',
    );
    expect(
      codeOf(() =>
        validateAuthRequest(client, {
          ...base,
          responseMode: 'web_message',
          redirectUri: 'myapp://callback',
        }),
      ),
    ).toBe('INVALID_REDIRECT_URI');
    expect(codeOf(() => validateAuthRequest(client, { ...base, responseMode: 'form_post' }))).toBe(
      'INVALID_REQUEST',
    );
    expect(codeOf(() => validateAuthRequest(client, { ...base, responseType: 'token' }))).toBe(
      'INVALID_REQUEST',
    );
  });

  it('refuses NUL characters in state and nonce', () => {
    expect(codeOf(() => validateAuthRequest(client, { ...base, state: 'a\u0000' }))).toBe('INVALID_REQUEST');
    expect(codeOf(() => validateAuthRequest(client, { ...base, nonce: 'a\u0000' }))).toBe('INVALID_REQUEST');
  });
});

describe('parseScope', () => {
  it('dedupes supported scopes and refuses unknown ones', () => {
    expect(parseScope('openid  openid offline_access')).toBe('openid offline_access');
    expect(parseScope(undefined)).toBe('');
    expect(codeOf(() => parseScope('openid admin'))).toBe('INVALID_SCOPE');
  });
});
