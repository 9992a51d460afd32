import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { expectError } from './support/assertions.js';
import { loginBody, seedTenant } from './support/fixtures.js';
import { bearer, enrollTotp, expectGrantTokens, passwordGrant } from './support/mfa.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { wrongCode } from './support/totp.js';

const LIMIT = 3;

function expectThrottled(res: Response): void {
  expectError(res, 429, 'TOO_MANY_REQUESTS');
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

/** Failed-attempt limits (RATE_LIMIT_PER_ACCOUNT, RATE_LIMIT_PER_ADDRESS) on the code-checking routes. */
describe('throttling of the OTP and MFA routes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_ACCOUNT: String(LIMIT), RATE_LIMIT_PER_ADDRESS: String(LIMIT) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('verify-otp: wrong codes for one key are throttled, on top of the per-code limit', async () => {
    const seed = await seedTenant(t);
    for (let i = 0; i < LIMIT; i++) {
      expectError(
        await t.http.post('/auth/verify-otp').send({ key: seed.email, otp: '000000' }),
        401,
        'INVALID_OTP',
      );
    }
    expectThrottled(await t.http.post('/auth/verify-otp').send({ key: seed.email, otp: '000000' }));
    // Another key from the same address is not affected.
    const other = await seedTenant(t);
    expectError(
      await t.http.post('/auth/verify-otp').send({ key: other.email, otp: '000000' }),
      401,
      'INVALID_OTP',
    );
  });

  it('send-otp: requests naming one address are capped, known or not', async () => {
    const seed = await seedTenant(t);
    for (const key of [seed.email, 'unknown-person@example.com']) {
      const body = { client_id: seed.client.clientId, client_secret: seed.clientSecret, key };
      for (let i = 0; i < LIMIT; i++)
        expect((await t.http.post('/auth/send-otp').send(body)).status).toBe(200);
      expectThrottled(await t.http.post('/auth/send-otp').send(body));
    }
  });

  it('the MFA grant and the method routes: wrong codes for one user are throttled', async () => {
    const seed = await seedTenant(t, { client: { public: true } });
    const session = expectGrantTokens(await passwordGrant(t, seed));
    const enrolled = await enrollTotp(t, session.accessToken, { password: seed.password });
    const { mfa } = (await passwordGrant(t, seed)).body;
    const grant = () =>
      t.http
        .post('/auth/v2/oauth1/tokens/mfa')
        .send({ token: mfa.token, methodId: enrolled.methodId, code: wrongCode(enrolled.secret) });
    for (let i = 0; i < LIMIT; i++) expectError(await grant(), 401, 'INVALID_MFA_CODE');
    expectThrottled(await grant());
    // The same user's proofs on the method routes share the budget.
    expectThrottled(
      await t.http
        .post('/auth/v2/mfa/methods/totp')
        .set(bearer(session.accessToken))
        .send({ code: wrongCode(enrolled.secret) }),
    );
  });

  it('check-qr-code: bad codes are throttled per IP (ten times RATE_LIMIT_PER_ACCOUNT)', async () => {
    const seed = await seedTenant(t);
    let res: Response | undefined;
    for (let i = 0; i < LIMIT * 10 + 1; i++) {
      res = await t.http
        .get('/auth/check-qr-code')
        .set('code', 'x'.repeat(43))
        .set('clientId', seed.client.clientId);
      if (res.status === 429) break;
      expectError(res, 401, 'INVALID_CODE');
    }
    expectThrottled(res!);
    // A good login still works: only failures count.
    expect((await t.http.post('/auth/login').send(loginBody(seed))).status).toBe(200);
  });
});
