import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestApp } from './support/test-app.js';
import { loginBody, seedTenant } from './support/fixtures.js';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs in with a password and reads /auth/me', async () => {
    const seed = await seedTenant(t);
    const login = await t.http.post('/auth/login-token').send(loginBody(seed));
    expect(login.status).toBe(200);
    const me = await t.http.get('/auth/me').set('Authorization', `Bearer ${login.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(seed.email);
  });
});
