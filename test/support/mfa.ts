import { expect } from 'vitest';
import type { Response } from 'supertest';
import { SecretBox, sealedAt } from '../../src/common/crypto/secret-box.js';
import type { Seed } from './fixtures.js';
import { sql, TestApp } from './test-app.js';
import { TotpUser } from './totp.js';

export interface GrantTokens {
  id: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  userId: string;
}

/** The token answer of API.md section 8. */
export function expectGrantTokens(res: Response): GrantTokens {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.headers['cache-control']).toContain('no-store');
  expect(res.body).toEqual({
    id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    refreshToken: expect.stringMatching(/^[\w-]{43,}$/),
    expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    userId: expect.any(String),
  });
  expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now());
  return res.body;
}

export function passwordGrant(t: TestApp, seed: Seed, overrides: Record<string, unknown> = {}) {
  return t.http
    .post('/auth/v2/oauth1/tokens')
    .send({ email: seed.email, password: seed.password, clientId: seed.client.clientId, ...overrides });
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export interface Enrolled {
  methodId: string;
  secret: string;
  recoveryCodes: string[];
  totp: TotpUser;
}

/** Adds and confirms an authenticator through the section 8 routes, as a user would. */
export async function enrollTotp(
  t: TestApp,
  accessToken: string,
  proof: Record<string, unknown>,
  totp = new TotpUser(),
): Promise<Enrolled> {
  const setup = await t.http.post('/auth/v2/mfa/methods/totp').set(bearer(accessToken)).send(proof);
  expect(setup.status, JSON.stringify(setup.body)).toBe(200);
  const { methodId, secret } = setup.body as { methodId: string; secret: string };
  const { code } = await totp.next(secret);
  const confirmed = await t.http
    .post(`/auth/v2/mfa/methods/${methodId}/confirm`)
    .set(bearer(accessToken))
    .send({ code });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  return { methodId, secret, recoveryCodes: confirmed.body.recoveryCodes as string[], totp };
}

/** The base32 secret of a user's newest authenticator, read the way the service reads it. */
export async function storedTotpSecret(t: TestApp, userId: string): Promise<string> {
  const [row] = await sql<{ id: string; secret_enc: string }>(
    t,
    `SELECT id, secret_enc FROM mfa_method WHERE user_id = $1 AND type = 'totp' ORDER BY created_at DESC LIMIT 1`,
    [userId],
  );
  return t.app.get(SecretBox).decrypt(row!.secret_enc, sealedAt('mfa_method', 'secret_enc', row!.id));
}

/** authMethod of the session an access token belongs to (and of its login-activity row). */
export async function sessionAuthMethod(t: TestApp, sessionId: string): Promise<string | undefined> {
  const [row] = await sql<{ auth_method: string }>(t, `SELECT auth_method FROM session WHERE id = $1`, [
    sessionId,
  ]);
  return row?.auth_method;
}
