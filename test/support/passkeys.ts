import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { pkcePair, redirectParams, visitorToken } from './headless.js';
import { bearer, expectGrantTokens, passwordGrant } from './mfa.js';
import type { Seed } from './fixtures.js';
import { sql, TestApp } from './test-app.js';
import { Ceremony, SoftAuthenticator } from './webauthn.js';

/** Support for the passkey tests (API.md section 13) over the software authenticator. */

/** A member access token of the seeded user (section 8 password grant; before MFA is on). */
export async function memberToken(t: TestApp, seed: Seed): Promise<string> {
  return expectGrantTokens(await passwordGrant(t, seed)).accessToken;
}

export function registrationOptions(t: TestApp, accessToken: string, body: Record<string, unknown> = {}) {
  return t.http.post('/auth/v2/mfa/methods/passkey/options').set(bearer(accessToken)).send(body);
}

/** Registers a passkey of `authenticator` for the member; answers the 201 body. */
export async function registerPasskey(
  t: TestApp,
  accessToken: string,
  authenticator: SoftAuthenticator,
  options: { name?: string; ceremony?: Ceremony } = {},
): Promise<{ methodId: string; type: string; name: string }> {
  const start = await registrationOptions(t, accessToken, options.name ? { name: options.name } : {});
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const res = await t.http
    .post('/auth/v2/mfa/methods/passkey')
    .set(bearer(accessToken))
    .send({
      stateToken: start.body.stateToken,
      credential: authenticator.create(start.body.options, options.ceremony),
    });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { methodId: string; type: string; name: string };
}

export function signInOptions(t: TestApp, visitor: string, email?: string) {
  return t.http
    .post('/auth/v2/login/passkey/options')
    .set(bearer(visitor))
    .send(email ? { loginId: { email } } : {});
}

/** Options then an assertion of `authenticator` (misbehaving as `ceremony` says); answers the raw response. */
export async function signInWith(
  t: TestApp,
  clientId: string,
  authenticator: SoftAuthenticator,
  options: { email?: string; ceremony?: Ceremony; visitor?: string } = {},
) {
  const visitor = options.visitor ?? (await visitorToken(t, clientId));
  const start = await signInOptions(t, visitor, options.email);
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const credential = authenticator.get(start.body.options, options.ceremony);
  const res = await t.http
    .post('/auth/v2/login/passkey')
    .set(bearer(visitor))
    .send({ stateToken: start.body.stateToken, credential });
  return Object.assign(res, {
    stateToken: start.body.stateToken as string,
    options: start.body.options as never,
    credential,
    visitor,
  });
}

/** sessionToken -> redirect session -> /oauth2/authorize -> /oauth2/token: the access token. */
export async function exchangeSessionToken(
  t: TestApp,
  clientId: string,
  visitor: string,
  sessionToken: string,
): Promise<string> {
  const { verifier, challenge } = pkcePair();
  const rs = await t.http
    .post('/auth/v2/redirect-sessions')
    .set(bearer(visitor))
    .send({
      auth: {
        clientId,
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
        responseMode: 'query',
        responseType: 'code',
        scope: 'offline_access',
        state: 'st',
        sessionToken,
      },
    });
  expect(rs.status, JSON.stringify(rs.body)).toBe(200);
  const fullUrl = new URL(rs.body.redirectSession.fullUrl);
  const authorize = await t.http.get(`${fullUrl.pathname}${fullUrl.search}`);
  expect(authorize.status).toBe(302);
  const { code } = redirectParams(authorize.headers.location);
  const token = await t.http
    .post('/oauth2/token')
    .send({ clientId, grantType: 'authorization_code', code, codeVerifier: verifier });
  expect(token.status, JSON.stringify(token.body)).toBe(200);
  return token.body.access_token as string;
}

/** The authMethod of the login-activity rows of a user, oldest first. */
export async function loginActivityMethods(t: TestApp, userId: string): Promise<string[]> {
  const rows = await sql<{ auth_method: string }>(
    t,
    `SELECT auth_method FROM login_activity WHERE actor = $1 AND login_type = 'ACCESS' ORDER BY login_time`,
    [userId],
  );
  return rows.map((r) => r.auth_method);
}

/** Templates of the mails queued for an address, oldest first. */
export async function outboxTemplates(t: TestApp, email: string): Promise<string[]> {
  const hash = createHash('sha256').update(`email:${email.toLowerCase()}`).digest();
  const rows = await sql<{ template: string }>(
    t,
    `SELECT template FROM notification_outbox WHERE recipient_hash = $1 ORDER BY created_at`,
    [hash],
  );
  return rows.map((r) => r.template);
}
