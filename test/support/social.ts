import { expect } from 'vitest';
import request, { type Response } from 'supertest';
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

/**
 * A browser as far as the service goes: keeps the cookies its answers set (the login cookie a
 * start route sets, which binds the login's state to this browser) and sends them back. A social
 * callback works only from the browser that started the login (API.md section 12).
 */
export function browser(t: TestApp) {
  return request.agent(t.app.getHttpServer());
}
export type Browser = ReturnType<typeof browser>;

/** `name=value` of the login cookie a start route's answer set (for a request from elsewhere). */
export function loginCookie(res: Response): string {
  const header = res.headers['set-cookie'] as unknown as string[] | undefined;
  const line = header?.find((l) => /^(__Host-)?auth-login-/.test(l));
  expect(line, 'the start route sets the login cookie').toBeTruthy();
  return line!.split(';')[0]!;
}
