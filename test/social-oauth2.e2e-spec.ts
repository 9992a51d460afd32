import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { followRedirects } from './support/idp/http.js';
import { OAuth2Idp, startOAuth2Idp, TokenShape } from './support/idp/oauth2-idp.js';
import { browser, Browser, codeOf, exchange, loginCookie, pathOf, PUBLIC_URL } from './support/social.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';

/**
 * Facebook and Instagram (plain OAuth 2.0) against small real OAuth 2.0 servers on loopback that
 * answer the way Meta's do: Facebook's token answer, Instagram's business-login answer wrapped in
 * `data[0]`, and a bare one without `token_type`.
 */
describe('Facebook and Instagram logins', () => {
  let facebook: OAuth2Idp;
  let instagram: OAuth2Idp;
  let t: TestApp;
  let seed: Seed;
  /** The browser the logins run in (it keeps the login cookies). */
  let web: Browser;

  beforeAll(async () => {
    facebook = await startOAuth2Idp({
      clientId: 'fb-app',
      clientSecret: 'fb-secret-0123456789',
      shape: 'facebook',
    });
    instagram = await startOAuth2Idp({
      clientId: 'ig-app',
      clientSecret: 'ig-secret-0123456789',
      shape: 'instagram-wrapped',
    });
    t = await createTestApp({ PUBLIC_URL, ...facebook.env('FACEBOOK'), ...instagram.env('INSTAGRAM') });
    web = browser(t);
    seed = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
    await facebook?.close();
    await instagram?.close();
  });

  const PROVIDERS = [
    { name: 'facebook', start: '/auth/facebook', idp: () => facebook, method: 'FACEBOOK' },
    { name: 'instagram', start: '/auth/instagram', idp: () => instagram, method: 'INSTAGRAM' },
  ] as const;

  async function login(
    provider: (typeof PROVIDERS)[number],
    profile: Record<string, unknown>,
    s: Seed = seed,
  ) {
    const start = await web
      .post(provider.start)
      .send({ client_id: s.client.clientId, client_secret: s.clientSecret });
    expect(start.status, JSON.stringify(start.body)).toBe(302);
    provider.idp().loginAs(profile);
    const callback = await followRedirects(start.headers.location as string, PUBLIC_URL);
    return { callback, res: await web.get(pathOf(callback)) };
  }

  const facebookProfile = () => ({
    id: String(Date.now()) + String(Math.floor(Math.random() * 1e6)),
    name: 'Alan Turing',
    first_name: 'Alan',
    last_name: 'Turing',
    email: `${unique('fb')}@example.com`,
  });
  const instagramProfile = () => ({
    id: String(Math.floor(Math.random() * 1e15)),
    user_id: String(Math.floor(Math.random() * 1e15)),
    username: unique('insta'),
    name: 'Insta Person',
  });

  describe.each(PROVIDERS)('$name', (provider) => {
    const profileOf = () => (provider.name === 'facebook' ? facebookProfile() : instagramProfile());

    it('first login creates the user, second finds them; the code is exchanged at /auth/token', async () => {
      const profile = profileOf();
      const { res } = await login(provider, profile);
      const tokens = expectTokenResponse(await exchange(t, codeOf(res), seed.client.clientId));
      const userId = decodeClaims(tokens.accessToken).sub;
      const [credential] = await sql<{ user_id: string }>(
        t,
        'SELECT user_id FROM user_credential WHERE provider = $1 AND external_id = $2',
        [provider.name, profile.id],
      );
      expect(credential?.user_id).toBe(userId);
      const [activity] = await sql<{ auth_method: string }>(
        t,
        'SELECT auth_method FROM login_activity WHERE actor = $1',
        [userId],
      );
      expect(activity?.auth_method).toBe(provider.method);
      const again = await login(provider, profile);
      const second = expectTokenResponse(await exchange(t, codeOf(again.res), seed.client.clientId));
      expect(decodeClaims(second.accessToken).sub).toBe(userId);
    });

    it('a denied login is 401 PROVIDER_ERROR and a replayed callback 401 INVALID_STATE', async () => {
      provider.idp().deny('access_denied');
      try {
        const { res } = await login(provider, profileOf());
        expectError(res, 401, 'PROVIDER_ERROR');
      } finally {
        provider.idp().deny(null);
      }
      const { callback, res } = await login(provider, profileOf());
      codeOf(res);
      expectError(await web.get(pathOf(callback)), 401, 'INVALID_STATE');
    });

    it('a code the provider refuses is 401 PROVIDER_ERROR', async () => {
      const start = await web
        .post(provider.start)
        .send({ client_id: seed.client.clientId, client_secret: seed.clientSecret });
      const state = new URL(start.headers.location as string).searchParams.get('state');
      expectError(
        await web.get(`/auth/${provider.name}-auth-redirect?code=forged&state=${state}`),
        401,
        'PROVIDER_ERROR',
      );
    });
  });

  it("Facebook's email is not known to be verified: it never links, and is kept only when nobody has it", async () => {
    const taken = { ...facebookProfile(), email: seed.email };
    const { res } = await login(PROVIDERS[0], taken);
    const userId = decodeClaims(
      expectTokenResponse(await exchange(t, codeOf(res), seed.client.clientId)).accessToken,
    ).sub;
    expect(userId).not.toBe(seed.user.id);
    const [user] = await sql<{ email: string | null }>(t, 'SELECT email FROM app_user WHERE id = $1', [
      userId,
    ]);
    expect(user?.email).toBeNull();

    const free = facebookProfile();
    const second = await login(PROVIDERS[0], free);
    const id2 = decodeClaims(
      expectTokenResponse(await exchange(t, codeOf(second.res), seed.client.clientId)).accessToken,
    ).sub;
    const [user2] = await sql<{ email: string; email_verified: boolean; first_name: string }>(
      t,
      'SELECT email, email_verified, first_name FROM app_user WHERE id = $1',
      [id2],
    );
    expect(user2).toEqual({ email: free.email, email_verified: false, first_name: 'Alan' });
  });

  it('Facebook calls carry appsecret_proof', () => {
    expect(facebook.proofs.length).toBeGreaterThan(0);
  });

  it('Instagram gives no email; its display name is kept', async () => {
    const profile = instagramProfile();
    const { res } = await login(PROVIDERS[1], profile);
    const userId = decodeClaims(
      expectTokenResponse(await exchange(t, codeOf(res), seed.client.clientId)).accessToken,
    ).sub;
    const [user] = await sql<{ email: string | null; first_name: string }>(
      t,
      'SELECT email, first_name FROM app_user WHERE id = $1',
      [userId],
    );
    expect(user).toEqual({ email: null, first_name: 'Insta Person' });
  });

  it('without sign-up an unknown person is 401 USER_NOT_FOUND', async () => {
    const closed = await seedTenant(t, { client: { allowSignUp: false } });
    const { res } = await login(PROVIDERS[0], facebookProfile(), closed);
    expectError(res, 401, 'USER_NOT_FOUND');
  });

  it('malformed start bodies are 4xx', async () => {
    expectError(await t.http.post('/auth/facebook').send({ client_id: ['a'] }), 422, 'VALIDATION_FAILED');
    expectError(
      await t.http.post('/auth/instagram').send({ client_id: 'a', state: 7 }),
      422,
      'VALIDATION_FAILED',
    );
    expectError(
      await t.http.post('/auth/instagram').set('content-type', 'application/json').send('['),
      400,
      'BAD_REQUEST',
    );
  });
});

describe('a token answer without token_type, not wrapped', () => {
  it.each(['bare'] as TokenShape[])('is read (%s)', async (shape) => {
    const idp = await startOAuth2Idp({ clientId: 'ig2', clientSecret: 'ig2-secret-0123456789', shape });
    const t = await createTestApp({ PUBLIC_URL, ...idp.env('INSTAGRAM') });
    try {
      const seed = await seedTenant(t);
      const start = await t.http
        .post('/auth/instagram')
        .send({ client_id: seed.client.clientId, client_secret: seed.clientSecret });
      idp.loginAs({ id: '1789', username: 'bare' });
      const callback = await followRedirects(start.headers.location as string, PUBLIC_URL);
      const finish = t.http.get(pathOf(callback)).set('Cookie', loginCookie(start));
      expectTokenResponse(await exchange(t, codeOf(await finish), seed.client.clientId));
    } finally {
      await t.close();
      await idp.close();
    }
  });
});
