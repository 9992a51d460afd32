import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { expectTokenResponse } from './support/assertions.js';
import { answer, describeMalformed } from './support/malformed.js';

/**
 * Every JSON route of the spine (API.md section 2), fed what a careless or hostile client sends:
 * each answer is the contract's exact 4xx body, and nothing changes.
 */
describe('malformed input on every spine route', () => {
  let t: TestApp;
  let seed: Seed;
  let tokens: { accessToken: string; refreshToken: string };

  beforeAll(async () => {
    t = await createTestApp();
    seed = await seedTenant(t);
    tokens = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
  });
  afterAll(async () => {
    await t?.close();
  });

  const bearer = () => ({ Authorization: `Bearer ${tokens.accessToken}` });
  /** Sessions, auth codes and password of the seeded user: what no malformed request may touch. */
  const state = async () =>
    sql(
      t,
      `SELECT (SELECT count(*) FROM session WHERE revoked_at IS NULL) AS sessions,
              (SELECT count(*) FROM auth_code) AS codes,
              (SELECT string_agg(password_hash, ',') FROM user_credential WHERE user_id = $1) AS hash`,
      [seed.user.id],
    );
  const unknownToken = 'r'.repeat(43);
  const wrongPassword = 'Not-The-Password-1234';
  // A wrong password is what the seeded user's name and the client answer to: no code is issued.
  const badLogin = { username: { text: answer(401, 'INVALID_CREDENTIALS') } };
  const unknownClient = { text: answer(401, 'INVALID_CLIENT') };
  // A confidential client without its secret (none, null or empty) is an unknown client.
  const noSecret = {
    absent: answer(401, 'INVALID_CLIENT'),
    empty: answer(401, 'INVALID_CLIENT'),
    text: answer(401, 'INVALID_CLIENT'),
  };

  describeMalformed(
    () => t.http,
    [
      {
        method: 'post',
        path: '/auth/login',
        valid: () => loginBody(seed, { password: wrongPassword }),
        validAnswer: answer(401, 'INVALID_CREDENTIALS'),
        optional: ['client_secret'],
        fields: { ...badLogin, client_id: unknownClient, client_secret: noSecret },
        state,
      },
      {
        method: 'post',
        path: '/auth/login-token',
        valid: () => loginBody(seed, { password: wrongPassword }),
        validAnswer: answer(401, 'INVALID_CREDENTIALS'),
        optional: ['client_secret'],
        fields: { ...badLogin, client_id: unknownClient, client_secret: noSecret },
        state,
      },
      {
        method: 'post',
        path: '/auth/token',
        valid: () => ({ code: 'c'.repeat(43), clientId: seed.client.clientId }),
        validAnswer: answer(401, 'INVALID_CODE'),
        state,
      },
      {
        method: 'post',
        path: '/auth/token-refresh',
        valid: () => ({ refreshToken: unknownToken }),
        validAnswer: answer(401, 'INVALID_REFRESH_TOKEN'),
        state,
      },
      {
        method: 'post',
        path: '/auth/switch-token',
        headers: bearer,
        valid: () => ({ refreshToken: unknownToken, tenantId: seed.tenant.id }),
        validAnswer: answer(401, 'INVALID_REFRESH_TOKEN'),
        formatted: ['tenantId'],
        state,
      },
      {
        method: 'patch',
        path: '/auth/change-password',
        headers: bearer,
        valid: () => ({
          refreshToken: tokens.refreshToken,
          username: seed.email,
          password: 'Brand-New-Password-77',
          oldPassword: wrongPassword,
        }),
        validAnswer: answer(401, 'INVALID_CREDENTIALS'),
        fields: { username: { text: answer(403, 'FORBIDDEN') } },
        state,
      },
      {
        method: 'post',
        path: '/logout',
        headers: bearer,
        valid: () => ({ refreshToken: unknownToken }),
        validAnswer: answer(401, 'INVALID_REFRESH_TOKEN'),
        state,
      },
    ],
  );

  it('the session used throughout still works: nothing above changed state', async () => {
    expect((await t.http.get('/auth/me').set(bearer())).status).toBe(200);
    expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
  });
});
