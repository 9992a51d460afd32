import { expect } from 'vitest';
import type { Response } from 'supertest';
import type { TestApp } from './test-app.js';

/** PUBLIC_URL of the social tests: providers send browsers back to PUBLIC_URL + callback route. */
export const PUBLIC_URL = 'http://auth.test.local';

/** The auth code of a successful callback's redirect (asserting the redirect target). */
export function codeOf(res: Response, redirectUrl = 'https://app.example.com/callback'): string {
  expect(res.status, JSON.stringify(res.body)).toBe(302);
  expect(res.headers['cache-control']).toContain('no-store');
  const location = new URL(res.headers.location as string);
  expect(`${location.origin}${location.pathname}`).toBe(redirectUrl);
  const code = location.searchParams.get('code');
  expect(code).toMatch(/^[\w-]{43}$/);
  return code!;
}

/** POST /auth/token for a code. */
export function exchange(t: TestApp, code: string, clientId: string, codeVerifier?: string) {
  return t.http.post('/auth/token').send({ code, clientId, codeVerifier });
}

/** The path and query of an absolute callback URL, for supertest. */
export function pathOf(url: URL): string {
  return url.pathname + url.search;
}

export function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}
