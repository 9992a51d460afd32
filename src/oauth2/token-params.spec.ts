import { describe, expect, it } from 'vitest';
import { param, parseBasic, requiredParam } from './token-params.js';

const errorOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { extra?: { error?: string } }).extra?.error;
  }
};

describe('token endpoint parameters', () => {
  it('reads camelCase or snake_case; empty counts as absent; unknown ones are never looked at', () => {
    expect(param({ grantType: 'anonymous' }, 'grant_type', 'grantType')).toBe('anonymous');
    expect(param({ grant_type: 'anonymous' }, 'grant_type', 'grantType')).toBe('anonymous');
    expect(param({ grant_type: 'x', grantType: 'x' }, 'grant_type', 'grantType')).toBe('x');
    expect(param({ grant_type: '' }, 'grant_type', 'grantType')).toBeUndefined();
    expect(param({ other: 5 }, 'grant_type', 'grantType')).toBeUndefined();
  });

  it('refuses repeated, mistyped, disagreeing, oversized or NUL values as invalid_request', () => {
    expect(errorOf(() => param({ grant_type: ['a', 'b'] }, 'grant_type'))).toBe('invalid_request');
    expect(errorOf(() => param({ grant_type: 7 }, 'grant_type'))).toBe('invalid_request');
    expect(errorOf(() => param({ grant_type: 'a', grantType: 'b' }, 'grant_type', 'grantType'))).toBe(
      'invalid_request',
    );
    expect(errorOf(() => param({ code: 'x'.repeat(3000) }, 'code'))).toBe('invalid_request');
    expect(errorOf(() => param({ code: 'a\u0000' }, 'code'))).toBe('invalid_request');
    expect(errorOf(() => requiredParam({}, 'code'))).toBe('invalid_request');
  });

  it('parses HTTP Basic client credentials (form-urlencoded inside, RFC 6749 section 2.3.1)', () => {
    const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(parseBasic(basic('my%20app:s%3Acret'))).toEqual({ clientId: 'my app', clientSecret: 's:cret' });
    expect(parseBasic(undefined)).toBeUndefined();
    expect(parseBasic('Bearer abc')).toBeUndefined();
    expect(errorOf(() => parseBasic(basic('no-colon')))).toBe('invalid_request');
    expect(errorOf(() => parseBasic(basic(':secret')))).toBe('invalid_request');
    expect(errorOf(() => parseBasic(basic('%E0%A4%A:x')))).toBe('invalid_request');
  });
});
