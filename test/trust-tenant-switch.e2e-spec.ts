import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * API.md section 12, "Tenant switch": only a session of the user's own sign-in moves into another
 * tenant. The attack: a ManageAuth member of tenant A creates a headless token, mints a member
 * session for a user who is also an admin of tenant B, and switches it into B to get B's
 * ManageAuth. Every door of that attack is tried here: /auth/token-refresh with tenantId,
 * /auth/switch-token, SSO tokens (into B directly, or laundered through a same-tenant consume
 * first) and the section 8 refresh grant.
 */
describe('trust boundaries: tenant switch', () => {
  let t: TestApp;
  /** Tenant A; its seeded user holds ManageAuth in A (the attacker). */
  let a: Seed;
  /** Tenant B; its seeded user (the victim) holds ManageAuth in B and is a plain member of A. */
  let b: Seed;
  /** The victim's member session in A, minted by the attacker's headless token. */
  let minted: { access_token: string; refresh_token: string };

  const refreshInto = (refreshToken: string, tenantId?: string) =>
    t.http.post('/auth/token-refresh').send({ refreshToken, tenantId });

  async function mint(headlessToken: string) {
    const res = await t.http
      .post('/api/v1/headless/auth_token')
      .set(bearer(headlessToken))
      .send({ email: b.email });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { access_token: string; refresh_token: string };
  }

  async function ssoToken(accessToken: string): Promise<string> {
    const res = await t.http.post('/auth/v2/oauth1/ssoTokens/generate').set(bearer(accessToken));
    expect(res.status).toBe(200);
    return res.body.ssoToken;
  }

  let headless: string;

  beforeAll(async () => {
    t = await createTestApp();
    a = await seedTenant(t, { permissions: ['ManageAuth'] });
    b = await seedTenant(t, { permissions: ['ManageAuth'] });
    await a.provisioning.memberships.addMembership(b.user.id, a.tenant.id, null, 'ACTIVE');
    // The attacker: a ManageAuth admin of A only, acting through the admin routes with their token.
    const attacker = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(a)));
    const created = await t.http
      .post('/admin/headless-tokens')
      .set(bearer(attacker.accessToken))
      .send({ tenantId: a.tenant.id, name: 'backend' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    headless = created.body.token;
    minted = await mint(headless);
    expect(decodeClaims(minted.access_token)).toMatchObject({ sub: b.user.id, tid: a.tenant.id });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("the victim's own sign-in may switch into B (the door exists, and stays open for its owner)", async () => {
    const own = expectTokenResponse(
      await t.http.post('/auth/login-token').send(loginBody(a, { username: b.email })),
    );
    const switched = expectTokenResponse(await refreshInto(own.refreshToken, b.tenant.id));
    expect(decodeClaims(switched.accessToken)).toMatchObject({
      tid: b.tenant.id,
      permissions: ['ManageAuth'],
    });
  });

  it('/auth/token-refresh with tenantId: a headless member session stays in its tenant (403 FORBIDDEN)', async () => {
    expectError(await refreshInto(minted.refresh_token, b.tenant.id), 403, 'FORBIDDEN');
    // Refused before anything was spent: the member refresh token still works, in A only.
    const again = expectTokenResponse(await refreshInto(minted.refresh_token));
    expect(decodeClaims(again.accessToken)).toMatchObject({ tid: a.tenant.id, permissions: [] });
    expectError(await refreshInto(again.refreshToken, b.tenant.id), 403, 'FORBIDDEN');
    // Naming its own tenant is no switch.
    expectTokenResponse(await refreshInto(again.refreshToken, a.tenant.id));
  });

  it('/auth/switch-token: a headless member session stays in its tenant (403 FORBIDDEN)', async () => {
    const session = await mint(headless);
    expectError(
      await t.http
        .post('/auth/switch-token')
        .set(bearer(session.access_token))
        .send({ refreshToken: session.refresh_token, tenantId: b.tenant.id }),
      403,
      'FORBIDDEN',
    );
  });

  it('an SSO token is consumed only by clients of the tenant where it was generated (403 FORBIDDEN)', async () => {
    const session = await mint(headless);
    const token = await ssoToken(session.access_token);
    expectError(
      await t.http
        .post('/auth/v2/oauth1/ssoTokens/consume')
        .send({ ssoToken: token, clientId: b.client.clientId }),
      403,
      'FORBIDDEN',
    );
    // Also for the user's own sign-in: an SSO token never changes tenant.
    const own = expectTokenResponse(
      await t.http.post('/auth/login-token').send(loginBody(a, { username: b.email })),
    );
    expectError(
      await t.http
        .post('/auth/v2/oauth1/ssoTokens/consume')
        .send({ ssoToken: await ssoToken(own.accessToken), clientId: b.client.clientId }),
      403,
      'FORBIDDEN',
    );
    // The refused request spent nothing: the first token still works, inside A.
    const inA = await t.http.post('/auth/v2/oauth1/ssoTokens/consume').send({ ssoToken: token });
    expect(inA.status).toBe(200);
    expect(decodeClaims(inA.body.accessToken)).toMatchObject({ tid: a.tenant.id });
  });

  it('a session from an SSO token of a headless session inherits its tenant binding', async () => {
    const session = await mint(headless);
    const consumed = await t.http
      .post('/auth/v2/oauth1/ssoTokens/consume')
      .send({ ssoToken: await ssoToken(session.access_token) });
    expect(consumed.status).toBe(200);
    expectError(await refreshInto(consumed.body.refreshToken, b.tenant.id), 403, 'FORBIDDEN');
    expectError(
      await t.http
        .post('/auth/switch-token')
        .set(bearer(consumed.body.accessToken))
        .send({ refreshToken: consumed.body.refreshToken, tenantId: b.tenant.id }),
      403,
      'FORBIDDEN',
    );
  });

  it('/auth/v2/oauth1/tokens {refreshToken} cannot switch: no tenantId field, and the pair stays in A', async () => {
    const session = await mint(headless);
    expectError(
      await t.http
        .post('/auth/v2/oauth1/tokens')
        .send({ refreshToken: session.refresh_token, tenantId: b.tenant.id }),
      422,
      'VALIDATION_FAILED',
    );
    const rotated = await t.http.post('/auth/v2/oauth1/tokens').send({ refreshToken: session.refresh_token });
    expect(rotated.status).toBe(200);
    expect(decodeClaims(rotated.body.accessToken)).toMatchObject({ tid: a.tenant.id, permissions: [] });
  });

  it('nothing of all this reached B: no session of the victim lives in B but the one of their own sign-in', async () => {
    const inB = await sql<{ face: string; auth_method: string }>(
      t,
      `SELECT face, auth_method FROM session WHERE user_id = $1 AND tenant_id = $2`,
      [b.user.id, b.tenant.id],
    );
    expect(inB).toEqual([{ face: 'auth', auth_method: 'PASSWORD' }]);
  });
});
