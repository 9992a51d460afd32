import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestApp } from './support/test-app.js';
import { loginBody, seedTenant } from './support/fixtures.js';
import { expectError, expectTokenResponse } from './support/assertions.js';

describe('PATCH /auth/change-password', () => {
  let t: TestApp;
  const NEW_PASSWORD = 'Copper-Meadow-Falcon-908';

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('changes the password, keeps the current session and ends all others', async () => {
    const s = await seedTenant(t);
    const current = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
    const other = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
    const res = await t.http.patch('/auth/change-password').set(bearer(current.accessToken)).send({
      refreshToken: current.refreshToken,
      username: s.email,
      password: NEW_PASSWORD,
      oldPassword: s.password,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });

    expect((await t.http.get('/auth/me').set(bearer(current.accessToken))).status).toBe(200);
    expectTokenResponse(
      await t.http.post('/auth/token-refresh').send({ refreshToken: current.refreshToken }),
    );
    expectError(await t.http.get('/auth/me').set(bearer(other.accessToken)), 401, 'UNAUTHORIZED');
    expectError(
      await t.http.post('/auth/token-refresh').send({ refreshToken: other.refreshToken }),
      401,
      'INVALID_REFRESH_TOKEN',
    );

    expectError(await t.http.post('/auth/login-token').send(loginBody(s)), 401, 'INVALID_CREDENTIALS');
    expectTokenResponse(
      await t.http.post('/auth/login-token').send(loginBody(s, { password: NEW_PASSWORD })),
    );
  });

  it('answers 401 INVALID_CREDENTIALS for a wrong old password and changes nothing', async () => {
    const s = await seedTenant(t);
    const tokens = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
    const res = await t.http.patch('/auth/change-password').set(bearer(tokens.accessToken)).send({
      refreshToken: tokens.refreshToken,
      username: s.email,
      password: NEW_PASSWORD,
      oldPassword: 'wrong-old-password',
    });
    expectError(res, 401, 'INVALID_CREDENTIALS');
    expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
  });

  it("answers 403 FORBIDDEN when username is not the caller's", async () => {
    const s = await seedTenant(t);
    const victim = await seedTenant(t);
    const tokens = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
    const res = await t.http.patch('/auth/change-password').set(bearer(tokens.accessToken)).send({
      refreshToken: tokens.refreshToken,
      username: victim.email,
      password: NEW_PASSWORD,
      oldPassword: victim.password,
    });
    expectError(res, 403, 'FORBIDDEN');
    expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(victim)));
  });

  it.each([
    ['too short', 'Short-1a'],
    ['common', 'password1234'],
    ['containing the email', 'EMAIL-and-more-words'],
    ['too long', 'x'.repeat(129)],
  ])('answers 400 WEAK_PASSWORD for a %s password', async (_label, candidate) => {
    const s = await seedTenant(t);
    const tokens = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
    const password = candidate.replace('EMAIL', s.email.toUpperCase());
    const res = await t.http
      .patch('/auth/change-password')
      .set(bearer(tokens.accessToken))
      .send({ refreshToken: tokens.refreshToken, username: s.email, password, oldPassword: s.password });
    expectError(res, 400, 'WEAK_PASSWORD');
    expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
  });

  it('answers 401 without a Bearer, 422 for malformed bodies, 401 for a foreign refresh token', async () => {
    const s = await seedTenant(t);
    const tokens = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
    const body = {
      refreshToken: tokens.refreshToken,
      username: s.email,
      password: NEW_PASSWORD,
      oldPassword: s.password,
    };
    expectError(await t.http.patch('/auth/change-password').send(body), 401, 'UNAUTHORIZED');
    expectError(
      await t.http
        .patch('/auth/change-password')
        .set(bearer(tokens.accessToken))
        .send({ ...body, oldPassword: undefined }),
      422,
      'VALIDATION_FAILED',
    );
    expectError(
      await t.http
        .patch('/auth/change-password')
        .set(bearer(tokens.accessToken))
        .send({ ...body, role: 'admin' }),
      422,
      'VALIDATION_FAILED',
    );
    expectError(
      await t.http
        .patch('/auth/change-password')
        .set(bearer(tokens.accessToken))
        .send({ ...body, password: 42 }),
      422,
      'VALIDATION_FAILED',
    );
    const other = expectTokenResponse(
      await t.http.post('/auth/login-token').send(loginBody(await seedTenant(t))),
    );
    expectError(
      await t.http
        .patch('/auth/change-password')
        .set(bearer(tokens.accessToken))
        .send({ ...body, refreshToken: other.refreshToken }),
      401,
      'INVALID_REFRESH_TOKEN',
    );
    expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
  });
});
