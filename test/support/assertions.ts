import { expect } from 'vitest';
import type { Response } from 'supertest';

/** Asserts the contract's error body (API.md section 0) with the given status and code. */
export function expectError(res: Response, status: number, code: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({
    status,
    body: { statusCode: status, code, error: expect.any(String), message: expect.any(String) },
  });
  expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|QueryFailedError|SELECT |INSERT /);
}

/** A TokenResponse of API.md section 2. */
export function expectTokenResponse(res: Response): {
  accessToken: string;
  refreshToken: string;
  expires: number;
} {
  expect(res.status).toBe(200);
  expect(res.headers['cache-control']).toContain('no-store');
  expect(res.body).toEqual({
    accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    refreshToken: expect.stringMatching(/^[\w-]{43,}$/),
    expires: expect.any(Number),
  });
  expect(res.body.expires).toBeGreaterThan(Date.now());
  return res.body;
}

export function decodeClaims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}

/**
 * The sources of one directive of a response's Content-Security-Policy, exactly as sent (e.g.
 * `["'none'"]` for `frame-ancestors 'none'`); null when the directive is absent. Fails when the
 * response carries several policies (the browser would enforce them all).
 */
export function cspDirective(res: Response, directive: string): string[] | null {
  const header = res.headers['content-security-policy'] as string | string[] | undefined;
  expect(typeof header, 'exactly one Content-Security-Policy header').toBe('string');
  const found = (header as string)
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .filter(([name]) => name?.toLowerCase() === directive.toLowerCase());
  expect(found.length, `${directive} appears at most once`).toBeLessThanOrEqual(1);
  return found[0] ? found[0].slice(1) : null;
}
