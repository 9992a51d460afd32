import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStoredOnlyAsHash, sha256 } from './support/stored-hash.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { OneTimeTokensService } from '../src/tokens/one-time-tokens.service.js';

describe('OneTimeTokensService (real database)', () => {
  let t: TestApp;
  let svc: OneTimeTokensService;
  beforeAll(async () => {
    t = await createTestApp();
    svc = t.app.get(OneTimeTokensService);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('issues a token stored only as a hash, with sealed data, usable once even concurrently', async () => {
    const { token } = await svc.issue({
      purpose: 'sign-up',
      ttlSeconds: 60,
      data: { email: 'x@example.com' },
    });
    await expectStoredOnlyAsHash(t, 'one_time_token', 'token_hash', sha256(`sign-up:${token}`), token, [
      'x@example.com',
    ]);
    expect((await svc.peek('sign-up', token))?.data).toEqual({ email: 'x@example.com' });
    expect(await svc.peek('reset-password', token)).toBeNull();
    const results = await Promise.all(Array.from({ length: 6 }, () => svc.consume('sign-up', token)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await svc.peek('sign-up', token)).toBeNull();
  });

  it('expires, burns after too many failures, and revokes per user and purpose', async () => {
    const expired = await svc.issue({ purpose: 'sso-token', ttlSeconds: 60 });
    await sql(t, `UPDATE one_time_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expired.id,
    ]);
    expect(await svc.consume('sso-token', expired.token)).toBeNull();

    const code = await svc.issue({ purpose: 'otp', ttlSeconds: 60, token: 'state-1:123456' });
    expect(await svc.recordFailure(code.id, 3)).toBe(2);
    expect(await svc.recordFailure(code.id, 3)).toBe(1);
    expect(await svc.recordFailure(code.id, 3)).toBe(0);
    expect(await svc.consume('otp', 'state-1:123456')).toBeNull();
  });
});
