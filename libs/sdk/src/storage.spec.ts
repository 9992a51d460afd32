import { describe, expect, it } from 'vitest';
import { toTokens } from './auth-client.js';
import { MemoryTokenStorage, Tokens, WebStorageLike, WebStorageTokenStorage } from './storage.js';

const pair: Tokens = { accessToken: 'a', refreshToken: 'r', expiresAt: 1, grant: 'token-refresh' };

class MapStorage implements WebStorageLike {
  readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

describe('token storage', () => {
  it('memory: per role, copies, clears', () => {
    const s = new MemoryTokenStorage();
    s.set('member', pair);
    expect(s.get('member')).toEqual(pair);
    expect(s.get('visitor')).toBeNull();
    s.set('member', null);
    expect(s.get('member')).toBeNull();
  });

  it('web storage: JSON under prefix:role, garbage reads as nothing', () => {
    const backing = new MapStorage();
    const s = new WebStorageTokenStorage(backing, 'app');
    s.set('visitor', pair);
    expect(JSON.parse(backing.map.get('app:visitor')!)).toEqual(pair);
    expect(s.get('visitor')).toEqual(pair);
    backing.setItem('app:member', '{not json');
    expect(s.get('member')).toBeNull();
    s.set('visitor', null);
    expect(backing.map.size).toBe(1);
  });

  it('recognises each token answer of the service', () => {
    expect(toTokens({ accessToken: 'a', refreshToken: 'r', expires: 5 })).toEqual({ ...pair, expiresAt: 5 });
    expect(
      toTokens({
        id: 's',
        accessToken: 'a',
        refreshToken: 'r',
        expiresAt: '2026-11-22T10:00:00.000Z',
        userId: 'u',
      }),
    ).toEqual({
      accessToken: 'a',
      refreshToken: 'r',
      expiresAt: Date.parse('2026-11-22T10:00:00.000Z'),
      grant: 'password-grant',
    });
    const oauth = toTokens({ access_token: 'a', refresh_token: 'r', expires_in: 60, token_type: 'Bearer' });
    expect(oauth).toMatchObject({ accessToken: 'a', refreshToken: 'r', grant: 'oauth2' });
    expect(oauth.expiresAt! - Date.now()).toBeGreaterThan(50_000);
  });
});
