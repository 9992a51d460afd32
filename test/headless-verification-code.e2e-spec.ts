import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedTenant, STRONG_PASSWORD, unique } from './support/fixtures.js';
import { bearer, createPublicApp, PublicApp, visitorToken } from './support/headless.js';
import { MailCatcher } from './support/mail-catcher.js';

/** The digits the next codes draw, in order; real random digits once it is empty. */
const drawn: string[] = [];
vi.mock('../src/common/crypto/tokens.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/common/crypto/tokens.js')>();
  return { ...real, randomDigits: (digits?: number) => drawn.shift() ?? real.randomDigits(digits) };
});

/**
 * A mailed verification code (API.md section 7) is stored hashed and unique: a new code equal to
 * an earlier one of the same stateToken is drawn again, inside a savepoint, so the request's
 * transaction survives the unique violation.
 */
describe('headless email verification: a code drawn twice', () => {
  let app: PublicApp;
  let mail: MailCatcher;

  beforeAll(async () => {
    mail = new MailCatcher();
    await mail.start();
    app = await createPublicApp({ SMTP_URL: mail.url, MAIL_FROM: 'auth@example.com' });
  });
  afterAll(async () => {
    await app?.close();
    await mail?.stop();
  });

  it('is drawn again: the resent mail carries the new code, which verifies', async () => {
    const seed = await seedTenant(app.t);
    const { client } = await seed.provisioning.clients.createClient({
      clientId: unique('spa'),
      name: 'Acme shop',
      tenantId: seed.tenant.id,
      redirectUrls: ['https://shop.example.com/callback'],
      allowedOrigins: ['https://shop.example.com'],
      public: true,
    });
    const visitor = await visitorToken(app.t, client.clientId);
    const email = `${unique('member')}@example.com`;
    const codes = async (n: number) => {
      await mail.waitFor(() => mail.for(email).length >= n);
      return mail.for(email).map((m) => MailCatcher.code(m));
    };

    drawn.push('111111');
    const reg = await app.t.http
      .post('/auth/v2/register')
      .set(bearer(visitor))
      .send({ loginId: { email }, password: STRONG_PASSWORD });
    expect(reg.body.state).toBe('REQUIRE_EMAIL_VERIFICATION');
    expect(await codes(1)).toEqual(['111111']);

    drawn.push('111111', '222222');
    const resent = await app.t.http
      .post('/auth/v2/verify/resend')
      .set(bearer(visitor))
      .send({ stateToken: reg.body.stateToken });
    expect(resent.status).toBe(200);
    expect(await codes(2)).toEqual(['111111', '222222']);
    expect(drawn).toEqual([]);

    const ok = await app.t.http
      .post('/auth/v2/verify')
      .set(bearer(visitor))
      .send({ code: '222222', stateToken: reg.body.stateToken });
    expect(ok.body.state).toBe('SUCCESS');
  });
});
