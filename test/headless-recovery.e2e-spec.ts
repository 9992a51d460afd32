import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthClient } from '../src/identity/identity.types.js';
import { cspDirective, expectError } from './support/assertions.js';
import { seedTenant, Seed, STRONG_PASSWORD, unique } from './support/fixtures.js';
import {
  bearer,
  createPublicApp,
  pkcePair,
  PublicApp,
  redirectParams,
  visitorToken,
} from './support/headless.js';
import { MailCatcher } from './support/mail-catcher.js';
import { sql } from './support/test-app.js';

const NEW_PASSWORD = 'Copper-Meadow-Signal-88';

/**
 * Headless password recovery (a mailed link to the service's own form) and the member's own
 * profile (GET/PATCH /auth/v2/members/me), API.md section 7.
 */
describe('headless recovery and members/me', () => {
  let app: PublicApp;
  let mail: MailCatcher;
  let seed: Seed;
  let spa: AuthClient;

  const http = () => app.t.http;

  async function memberTokens(email: string, password: string) {
    const visitor = await visitorToken(app.t, spa.clientId);
    const login = await http()
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email }, password });
    expect(login.body.state).toBe('SUCCESS');
    const { verifier, challenge } = pkcePair();
    const rs = await http()
      .post('/auth/v2/redirect-sessions')
      .set(bearer(visitor))
      .send({
        auth: {
          clientId: spa.clientId,
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
          responseMode: 'query',
          responseType: 'code',
          scope: 'offline_access',
          state: 's',
          sessionToken: login.body.sessionToken,
        },
      });
    const full = new URL(rs.body.redirectSession.fullUrl);
    const code = redirectParams((await http().get(full.pathname + full.search)).headers.location).code;
    const tokens = await http()
      .post('/oauth2/token')
      .send({ clientId: spa.clientId, grantType: 'authorization_code', code, codeVerifier: verifier });
    expect(tokens.status).toBe(200);
    return tokens.body as { access_token: string; refresh_token: string };
  }

  async function recoveryLink(email: string): Promise<{ link: URL; token: string }> {
    const before = mail.for(email).length;
    const visitor = await visitorToken(app.t, spa.clientId);
    const res = await http()
      .post('/auth/v2/recovery/send-email')
      .set(bearer(visitor))
      .send({ email, redirect: { url: 'https://shop.example.com/', clientId: spa.clientId } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    const m = await mail.waitFor(
      (x) => x.to.includes(email.toLowerCase()) && mail.for(email).indexOf(x) >= before,
    );
    const token = MailCatcher.linkToken(m)!;
    const link = new URL(/https?:\/\/\S+\/auth\/v2\/recovery\?token=[\w-]+/.exec(m.text)![0]);
    return { link, token };
  }

  beforeAll(async () => {
    mail = new MailCatcher();
    await mail.start();
    app = await createPublicApp({
      SMTP_URL: mail.url,
      MAIL_FROM: 'auth@example.com',
      RATE_LIMIT_PER_ADDRESS: '1000',
    });
    seed = await seedTenant(app.t);
    spa = (
      await seed.provisioning.clients.createClient({
        clientId: unique('spa'),
        name: 'Acme shop',
        tenantId: seed.tenant.id,
        redirectUrls: ['https://shop.example.com/callback', 'https://shop.example.com/'],
        allowedOrigins: ['https://shop.example.com'],
        public: true,
      })
    ).client;
  });
  afterAll(async () => {
    await app?.close();
    await mail?.stop();
  });

  describe('recovery', () => {
    it('mails a link to the hosted form; the new password works once and ends every session', async () => {
      const email = `${unique('rec')}@example.com`;
      await seed.provisioning.users.createUser({
        email,
        password: STRONG_PASSWORD,
        tenantId: seed.tenant.id,
      });
      const before = await memberTokens(email, STRONG_PASSWORD);
      const { link, token } = await recoveryLink(email);
      expect(link.origin).toBe(app.publicUrl);
      expect(token.length).toBeGreaterThanOrEqual(32);

      const page = await http().get(`/auth/v2/recovery?token=${token}`);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.text).toContain(`action="${app.publicUrl}/auth/v2/recovery/reset"`);
      expect(page.text).toContain(`name="token" value="${token}"`);
      const csp = page.headers['content-security-policy'] as string;
      // The recovery form is never framed (API.md section 12, "Framing").
      expect(cspDirective(page, 'frame-ancestors')).toEqual(["'none'"]);
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(csp).toMatch(/form-action 'self' \S+ https:\/\/shop\.example\.com/);

      // A weak password is refused and spends nothing.
      expectError(
        await http().post('/auth/v2/recovery/reset').send({ token, password: 'short' }),
        400,
        'WEAK_PASSWORD',
      );
      expectError(
        await http()
          .post('/auth/v2/recovery/reset')
          .send({ token, password: `${email}-x` }),
        400,
        'WEAK_PASSWORD',
      );
      const ok = await http().post('/auth/v2/recovery/reset').send({ token, password: NEW_PASSWORD });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ redirectUrl: 'https://shop.example.com/' });
      expect(ok.headers['cache-control']).toContain('no-store');

      expectError(
        await http().post('/auth/v2/recovery/reset').send({ token, password: NEW_PASSWORD }),
        401,
        'INVALID_TOKEN',
      );
      expectError(await http().get('/auth/me').set(bearer(before.access_token)), 401, 'UNAUTHORIZED');
      const refreshed = await http()
        .post('/oauth2/token')
        .send({ clientId: spa.clientId, grantType: 'refresh_token', refreshToken: before.refresh_token });
      expect(refreshed.status).toBe(400);
      await memberTokens(email, NEW_PASSWORD);
      // The spent link shows an error page to a browser, the JSON body otherwise.
      expectError(await http().get(`/auth/v2/recovery?token=${token}`), 401, 'INVALID_TOKEN');
      const spent = await http().get(`/auth/v2/recovery?token=${token}`).set('Accept', 'text/html');
      expect(spent.status).toBe(401);
      expect(spent.headers['content-type']).toContain('text/html');
    });

    it('the used link proves the address it was mailed to, and a "password changed" notice is mailed', async () => {
      const email = `${unique('rec')}@example.com`;
      const { user } = await seed.provisioning.users.createUser({
        email,
        password: STRONG_PASSWORD,
        tenantId: seed.tenant.id,
        emailVerified: false,
      });
      const { token } = await recoveryLink(email);
      const ok = await http().post('/auth/v2/recovery/reset').send({ token, password: NEW_PASSWORD });
      expect(ok.status).toBe(200);
      const [row] = await sql<{ email_verified: boolean }>(
        app.t,
        'SELECT email_verified FROM app_user WHERE id = $1',
        [user.id],
      );
      expect(row!.email_verified).toBe(true);
      const notice = await mail.waitFor(
        (m) => m.to.includes(email.toLowerCase()) && /password was changed/i.test(m.subject),
      );
      expect(notice.subject).toContain('Acme shop');
    });

    it('the hosted form posts urlencoded and is redirected (302) to redirect.url; a newer link voids the older', async () => {
      const email = `${unique('rec')}@example.com`;
      await seed.provisioning.users.createUser({
        email,
        password: STRONG_PASSWORD,
        tenantId: seed.tenant.id,
      });
      const first = await recoveryLink(email);
      const second = await recoveryLink(email);
      expectError(
        await http().post('/auth/v2/recovery/reset').send({ token: first.token, password: NEW_PASSWORD }),
        401,
        'INVALID_TOKEN',
      );
      const weak = await http()
        .post('/auth/v2/recovery/reset')
        .type('form')
        .set('Accept', 'text/html')
        .send({ token: second.token, password: 'password1234' });
      expect(weak.status).toBe(400);
      expect(weak.headers['content-type']).toContain('text/html');
      expect(weak.text).toContain('name="password"');
      const res = await http()
        .post('/auth/v2/recovery/reset')
        .type('form')
        .send({ token: second.token, password: NEW_PASSWORD });
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('https://shop.example.com/');
      await memberTokens(email, NEW_PASSWORD);
    });

    it('the same answer for unknown addresses (and no mail); unregistered redirect URLs are 400 INVALID_REDIRECT', async () => {
      const visitor = await visitorToken(app.t, spa.clientId);
      const unknown = `${unique('nobody')}@example.com`;
      const res = await http()
        .post('/auth/v2/recovery/send-email')
        .set(bearer(visitor))
        .send({ email: unknown, redirect: { url: 'https://shop.example.com/', clientId: spa.clientId } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
      expectError(
        await http()
          .post('/auth/v2/recovery/send-email')
          .set(bearer(visitor))
          .send({
            email: seed.email,
            redirect: { url: 'https://evil.example.com/', clientId: spa.clientId },
          }),
        400,
        'INVALID_REDIRECT',
      );
      expectError(
        await http()
          .post('/auth/v2/recovery/send-email')
          .set(bearer(visitor))
          .send({
            email: seed.email,
            redirect: { url: 'https://shop.example.com/', clientId: 'no-such-client' },
          }),
        400,
        'INVALID_REDIRECT',
      );
      expectError(
        await http()
          .post('/auth/v2/recovery/send-email')
          .send({
            email: seed.email,
            redirect: { url: 'https://shop.example.com/', clientId: spa.clientId },
          }),
        401,
        'UNAUTHORIZED',
      );
      // A known address was mailed above in other tests; the unknown one never was.
      expect(mail.for(unknown)).toHaveLength(0);
      expectError(
        await http()
          .post('/auth/v2/recovery/reset')
          .send({ token: 'x'.repeat(43), password: NEW_PASSWORD }),
        401,
        'INVALID_TOKEN',
      );
      const stored = await sql<{ n: string }>(
        app.t,
        `SELECT count(*) AS n FROM one_time_token WHERE purpose = 'recovery-email'`,
      );
      expect(Number(stored[0]!.n)).toBeGreaterThan(0);
    });

    it('unknown and non-member addresses cost the same work as a member: one token row each, the outbox only rehearsed', async () => {
      // The same decoy as the forgot-password of section 3 (test/password-recovery.e2e-spec.ts).
      const outsider = await seedTenant(app.t); // an account, but not a member of spa's tenant
      const count = async (table: string) =>
        Number((await sql<{ n: string }>(app.t, `SELECT count(*) AS n FROM ${table}`))[0]!.n);
      const rows = async () => ({
        tokens: await count(`one_time_token WHERE purpose = 'recovery-email'`),
        outbox: await count('notification_outbox'),
      });
      const send = async (email: string) => {
        const visitor = await visitorToken(app.t, spa.clientId);
        const res = await http()
          .post('/auth/v2/recovery/send-email')
          .set(bearer(visitor))
          .send({ email, redirect: { url: 'https://shop.example.com/', clientId: spa.clientId } });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({});
      };
      const unknown = `${unique('nobody')}@example.com`;
      for (const email of [unknown, outsider.email]) {
        const before = await rows();
        await send(email);
        expect(await rows()).toEqual({ tokens: before.tokens + 1, outbox: before.outbox });
      }
      const before = await rows();
      await send(seed.email);
      expect(await rows()).toEqual({ tokens: before.tokens + 1, outbox: before.outbox + 1 });
      await mail.waitFor((m) => m.to.includes(seed.email.toLowerCase()) && /recover/i.test(m.subject));
      expect(mail.for(unknown)).toHaveLength(0);
      expect(mail.for(outsider.email)).toHaveLength(0);
      // The decoys' token rows belong to nobody (a link for no user opens nothing).
      const decoy = await sql<{ user_id: string | null }>(
        app.t,
        `SELECT user_id FROM one_time_token WHERE purpose = 'recovery-email' AND user_id IS NULL`,
      );
      expect(decoy.length).toBeGreaterThanOrEqual(2);
    });

    it('a redirect URL removed from the client after the mail is refused when the link is used (400 INVALID_REDIRECT, nothing spent)', async () => {
      const target = 'https://shop2.example.com/after-reset';
      const { client: shop2 } = await seed.provisioning.clients.createClient({
        clientId: unique('shop2'),
        name: 'Shop two',
        tenantId: seed.tenant.id,
        redirectUrls: ['https://shop2.example.com/', target],
        public: true,
      });
      const email = `${unique('rec')}@example.com`;
      await seed.provisioning.users.createUser({
        email,
        password: STRONG_PASSWORD,
        tenantId: seed.tenant.id,
      });
      const visitor = await visitorToken(app.t, shop2.clientId);
      const sent = await http()
        .post('/auth/v2/recovery/send-email')
        .set(bearer(visitor))
        .send({ email, redirect: { url: target, clientId: shop2.clientId } });
      expect(sent.status).toBe(200);
      const token = MailCatcher.linkToken(await mail.waitFor((x) => x.to.includes(email.toLowerCase())))!;

      // The attack: the URL is no longer the client's (say, a domain it gave up); the old link must not lead there.
      await seed.provisioning.clients.updateClient(shop2.id, {
        redirectUrls: ['https://shop2.example.com/'],
      });
      expectError(await http().get(`/auth/v2/recovery?token=${token}`), 400, 'INVALID_REDIRECT');
      const page = await http().get(`/auth/v2/recovery?token=${token}`).set('Accept', 'text/html');
      expect(page.status).toBe(400);
      expect(page.text).not.toContain('<form');
      expectError(
        await http().post('/auth/v2/recovery/reset').send({ token, password: NEW_PASSWORD }),
        400,
        'INVALID_REDIRECT',
      );
      const form = await http()
        .post('/auth/v2/recovery/reset')
        .type('form')
        .set('Accept', 'text/html')
        .send({ token, password: NEW_PASSWORD });
      expect(form.status).toBe(400);
      expect(form.headers.location).toBeUndefined();
      expect(form.text).not.toContain('<form');
      // Nothing was spent or changed: the old password still works...
      await memberTokens(email, STRONG_PASSWORD);
      // ...and the link works again once the URL is registered again.
      await seed.provisioning.clients.updateClient(shop2.id, {
        redirectUrls: ['https://shop2.example.com/', target],
      });
      const ok = await http().post('/auth/v2/recovery/reset').send({ token, password: NEW_PASSWORD });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ redirectUrl: target });
    });
  });

  describe('GET/PATCH /auth/v2/members/me', () => {
    it('answers the member with every profile field; PATCH merges, null removes, names follow /auth/me', async () => {
      const tokens = await memberTokens(seed.email, seed.password);
      const me = await http().get('/auth/v2/members/me').set(bearer(tokens.access_token));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        id: seed.user.id,
        email: seed.email,
        emailVerified: true,
        status: 'ACTIVE',
        memberId: seed.membership.memberId,
        tenantId: seed.tenant.id,
      });
      expect(Object.keys(me.body.profile).sort()).toEqual(
        [
          'addresses',
          'birthdate',
          'company',
          'customFields',
          'firstName',
          'labels',
          'language',
          'lastName',
          'nickname',
          'phonesV2',
          'picture',
          'position',
          'privacyStatus',
          'secondaryEmails',
        ].sort(),
      );

      const full = {
        firstName: 'Ada',
        lastName: 'Lovelace',
        nickname: 'ada',
        picture: 'https://cdn.example.com/ada.png',
        labels: ['vip', 'early'],
        language: 'en',
        privacyStatus: 'PUBLIC',
        customFields: { shoeSize: 38, nested: { ok: true } },
        secondaryEmails: [{ email: 'ada.work@example.com', tag: 'WORK' }, { email: 'ada.home@example.com' }],
        phonesV2: [{ countryCode: '+44', phone: '20 7946 0000', tag: 'MAIN' }],
        addresses: [{ address: '12 Harbour Street, Bristol', tag: 'HOME' }],
        company: 'Analytical Engines',
        position: 'Engineer',
        birthdate: '1815-12-10',
      };
      const patched = await http().patch('/auth/v2/members/me').set(bearer(tokens.access_token)).send(full);
      expect(patched.status).toBe(200);
      expect(patched.body.profile).toEqual({
        ...full,
        secondaryEmails: [
          { email: 'ada.work@example.com', tag: 'WORK' },
          { email: 'ada.home@example.com', tag: 'UNTAGGED' },
        ],
      });
      const authMe = await http().get('/auth/me').set(bearer(tokens.access_token));
      expect(authMe.body).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace' });

      const nested = await http()
        .patch('/auth/v2/members/me')
        .set(bearer(tokens.access_token))
        .send({ profile: { nickname: 'countess', company: null } });
      expect(nested.body.profile).toMatchObject({ nickname: 'countess', company: null, firstName: 'Ada' });
      const cleared = await http()
        .patch('/auth/v2/members/me')
        .set(bearer(tokens.access_token))
        .send({ firstName: null });
      expect(cleared.body.profile.firstName).toBeNull();
      expect((await http().get('/auth/me').set(bearer(tokens.access_token))).body.firstName).toBeNull();
    });

    it('refuses invalid profile fields (422 with the field) and callers without a member token', async () => {
      const tokens = await memberTokens(seed.email, seed.password);
      const bad: [Record<string, unknown>, string][] = [
        [{ privacyStatus: 'public' }, 'privacyStatus'],
        [{ birthdate: '1815-13-10' }, 'birthdate'],
        [{ labels: [''] }, 'labels'],
        [{ customFields: 'x' }, 'customFields'],
        [{ customFields: { a: 'x\u0000' } }, 'customFields.a'],
        [{ phonesV2: [{ phone: '12', tag: 'CELL' }] }, 'phonesV2.0.tag'],
        [{ phonesV2: ['12'] }, 'phonesV2.0'],
        [{ addresses: [{ address: 'x', tag: 'HOME', extra: 1 }] }, 'addresses.0.extra'],
        [{ nickname: 'x'.repeat(201) }, 'nickname'],
        [{ nickname: 'a\u0000b' }, 'nickname'],
        [{ email: 'new@example.com' }, 'email'],
        [{ profile: 'x' }, 'profile'],
        [{ profile: { privacyStatus: 'NONE' } }, 'profile.privacyStatus'],
      ];
      for (const [body, field] of bad) {
        const res = await http().patch('/auth/v2/members/me').set(bearer(tokens.access_token)).send(body);
        expectError(res, 422, 'VALIDATION_FAILED');
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      expectError(await http().patch('/auth/v2/members/me').send({ nickname: 'x' }), 401, 'UNAUTHORIZED');
    });
  });
});
