import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthClient } from '../src/identity/identity.types.js';
import { decodeClaims } from './support/assertions.js';
import { codeFlow, HttpBrowser, paramsOf, pkce } from './support/browser.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { bearer, createPublicApp, PublicApp, visitorToken } from './support/headless.js';
import { enrollTotp } from './support/mfa.js';
import { sql, TEST_ADMIN_KEY } from './support/test-app.js';

const REDIRECT = 'https://rp.example.com/cb';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * OpenID Connect conformance of the authorization endpoint (API.md section 7, the list "OpenID
 * Connect conformance"), tried the way the OpenID Foundation's basic plan does: prompt=none,
 * prompt=login, max_age and auth_time over a real hosted session (the cookie of a signed-in
 * browser), and authorization errors that go back to a known client's redirect URI.
 */
describe('OpenID Connect conformance: the authorization endpoint and the hosted session', () => {
  let app: PublicApp;
  let seed: Seed;
  /** A second client of the same tenant. */
  let sibling: AuthClient;

  beforeAll(async () => {
    app = await createPublicApp();
    seed = await seedTenant(app.t, {
      client: { public: true, redirectUrls: [REDIRECT], allowedOrigins: ['https://rp.example.com'] },
      user: { firstName: 'Ada', lastName: 'Lovelace' },
    });
    sibling = (
      await seed.provisioning.clients.createClient({
        clientId: unique('sibling'),
        name: 'Sibling app',
        tenantId: seed.tenant.id,
        redirectUrls: [REDIRECT],
        public: true,
      })
    ).client;
  });
  afterAll(async () => {
    await app?.close();
  });

  const { url, exchange, signedInBrowser } = codeFlow(
    () => app,
    REDIRECT,
    () => seed,
  );

  it('prompt=none without a hosted session redirects with login_required, state and iss, never a page', async () => {
    const browser = new HttpBrowser();
    const res = await browser.get(
      url(seed.client.clientId, pkce().challenge, { prompt: 'none', state: 's-none' }),
    );
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${REDIRECT}?`)).toBe(true);
    expect(paramsOf(location)).toMatchObject({
      error: 'login_required',
      state: 's-none',
      iss: app.publicUrl,
    });
    expect(paramsOf(location).code).toBeUndefined();
    // Fragment mode answers in the fragment.
    const frag = await browser.get(
      url(seed.client.clientId, pkce().challenge, { prompt: 'none', response_mode: 'fragment' }),
    );
    expect(paramsOf(frag.headers.get('location')!, 'fragment')).toMatchObject({
      error: 'login_required',
      iss: app.publicUrl,
    });
    // web_message posts it (with iss) instead of showing a form.
    const wm = await browser.get(
      url(seed.client.clientId, pkce().challenge, {
        prompt: 'none',
        response_mode: 'web_message',
        state: 's-wm',
      }),
    );
    expect(wm.status).toBe(200);
    const html = await wm.text();
    expect(html).not.toContain('<form');
    expect(html).toContain(`"error":"login_required","state":"s-wm"`);
    expect(html).toContain(`"iss":${JSON.stringify(app.publicUrl)}`);
  });

  it('a hosted sign-in sets the hosted-session cookie (HttpOnly, SameSite=Lax, Path=/oauth2), stored only as a hash', async () => {
    const { browser } = await signedInBrowser();
    const cookie = browser.cookies.get('oauth2_session');
    expect(cookie, 'the hosted-session cookie').toBeDefined();
    expect(cookie!.attributes).toMatch(/Path=\/oauth2(;|$)/);
    expect(cookie!.attributes).toMatch(/HttpOnly/);
    expect(cookie!.attributes).toMatch(/SameSite=Lax/);
    expect(cookie!.attributes).not.toMatch(/Secure/); // PUBLIC_URL is http here
    expect(Number(/Max-Age=(\d+)/.exec(cookie!.attributes)![1])).toBeGreaterThan(3600);
    const rows = await sql<{ token_hash: Buffer; user_id: string; auth_method: string }>(
      app.t,
      `SELECT token_hash, user_id, auth_method FROM hosted_session WHERE user_id = $1`,
      [seed.user.id],
    );
    const mine = rows.find((r) => r.token_hash.equals(createHash('sha256').update(cookie!.value).digest()));
    expect(mine).toMatchObject({ user_id: seed.user.id, auth_method: 'PASSWORD' });
    expect(JSON.stringify(rows)).not.toContain(cookie!.value);
  });

  it('a later request of the same browser, for any client of the tenant, answers the code without the form; auth_time is the sign-in', async () => {
    const { browser, signedInAt } = await signedInBrowser();
    await sleep(2100);
    for (const clientId of [seed.client.clientId, sibling.clientId]) {
      for (const prompt of [{}, { prompt: 'none' }] as Record<string, string>[]) {
        const { verifier, challenge } = pkce();
        const res = await browser.get(url(clientId, challenge, { ...prompt, nonce: 'n1', max_age: '3600' }));
        expect(res.status, `${clientId} ${JSON.stringify(prompt)}`).toBe(302);
        const tokens = await exchange(clientId, res.headers.get('location')!, verifier);
        const id = decodeClaims(tokens.id_token);
        expect(id).toMatchObject({ sub: seed.user.id, aud: clientId, nonce: 'n1' });
        // The real sign-in, not the exchange (which came 2 s later).
        expect(id.auth_time).toBeGreaterThanOrEqual(signedInAt);
        expect(id.auth_time).toBeLessThanOrEqual(signedInAt + 1);
        expect((id.iat as number) - (id.auth_time as number)).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it('prompt=login and max_age ask for a fresh sign-in; auth_time is then the new one', async () => {
    const { browser, signedInAt } = await signedInBrowser();
    await sleep(2100);
    const asks: Record<string, string>[] = [
      { prompt: 'login' },
      { max_age: '1' },
      { max_age: '0' },
      { prompt: 'select_account' },
    ];
    for (const more of asks) {
      await sleep(1100);
      const { verifier, challenge } = pkce();
      const page = await browser.get(url(seed.client.clientId, challenge, more));
      expect(page.status, JSON.stringify(more)).toBe(200);
      expect(await page.text()).toContain('name="password"');
      // prompt=none with a max_age the sign-in exceeds: login_required, no page.
      if (more.max_age === '1') {
        const none = await browser.get(
          url(seed.client.clientId, pkce().challenge, { prompt: 'none', max_age: '1' }),
        );
        expect(paramsOf(none.headers.get('location')!).error).toBe('login_required');
      }
      const again = Math.floor(Date.now() / 1000);
      const callback = await browser.signIn(
        url(seed.client.clientId, challenge, more),
        seed.email,
        seed.password,
      );
      const id = decodeClaims((await exchange(seed.client.clientId, callback, verifier)).id_token);
      expect(id.auth_time).toBeGreaterThanOrEqual(again);
      expect(id.auth_time).toBeGreaterThan(signedInAt);
    }
  });

  it("the hosted session answers only in its tenant, for an ACTIVE member, and for the id_token_hint's user", async () => {
    const { browser, tokens } = await signedInBrowser();
    const none = (clientId: string, more: Record<string, string> = {}) =>
      browser.get(url(clientId, pkce().challenge, { prompt: 'none', ...more })).then((r) => {
        expect(r.status).toBe(302);
        return paramsOf(r.headers.get('location')!);
      });
    // Another tenant where the user is a member too: not signed in there.
    const elsewhere = await seedTenant(app.t, { client: { public: true, redirectUrls: [REDIRECT] } });
    await seed.provisioning.memberships.addMembership(seed.user.id, elsewhere.tenant.id, null, 'ACTIVE');
    expect((await none(elsewhere.client.clientId)).error).toBe('login_required');
    // Someone else's id_token_hint: not this user.
    const other = await signedInBrowser(elsewhere);
    expect((await none(seed.client.clientId, { id_token_hint: other.tokens.id_token })).error).toBe(
      'login_required',
    );
    // Our own hint: fine.
    expect((await none(seed.client.clientId, { id_token_hint: tokens.id_token })).code).toBeDefined();
    // A hint that is not an ID token of ours: invalid_request, sent to the client.
    expect(await none(seed.client.clientId, { id_token_hint: tokens.access_token })).toMatchObject({
      error: 'invalid_request',
      iss: app.publicUrl,
    });
    // A member locked meanwhile: no code.
    const member = await seedTenant(app.t, { client: { public: true, redirectUrls: [REDIRECT] } });
    const locked = await signedInBrowser(member);
    await member.provisioning.users.updateUser(member.user.id, { status: 'LOCKED' });
    const res = await locked.browser.get(url(member.client.clientId, pkce().challenge, { prompt: 'none' }));
    expect(paramsOf(res.headers.get('location')!).error).toBe('login_required');
  });

  it('a second factor due for the client must have been proven in that hosted sign-in', async () => {
    const member = await seedTenant(app.t, { client: { public: true, redirectUrls: [REDIRECT] } });
    const mfaClient = (
      await member.provisioning.clients.createClient({
        clientId: unique('mfa'),
        name: 'Needs MFA',
        tenantId: member.tenant.id,
        redirectUrls: [REDIRECT],
        public: true,
        mfaRequired: true,
      })
    ).client;
    const { browser, tokens } = await signedInBrowser(member);
    // Signed in with a password only: the MFA client wants the form (prompt=none: login_required).
    const none = await browser.get(url(mfaClient.clientId, pkce().challenge, { prompt: 'none' }));
    expect(paramsOf(none.headers.get('location')!).error).toBe('login_required');
    const page = await browser.get(url(mfaClient.clientId, pkce().challenge));
    expect(await page.text()).toContain('name="password"');
    // The user proves a second factor on the hosted page of the MFA client...
    const enrolled = await enrollTotp(app.t, tokens.access_token, { password: member.password });
    const { verifier, challenge } = pkce();
    const step1 = HttpBrowser.form(await (await browser.get(url(mfaClient.clientId, challenge))).text());
    const mfa = await browser.post(step1.action, {
      ...step1.fields,
      email: member.email,
      password: member.password,
    });
    expect(mfa.status).toBe(200);
    const step2 = HttpBrowser.form(await mfa.text());
    const { code } = await enrolled.totp.next(enrolled.secret);
    const done = await browser.post(step2.action, { ...step2.fields, code });
    expect(done.status).toBe(303);
    await exchange(mfaClient.clientId, done.headers.get('location')!, verifier);
    // ... and from then on the MFA client (and the user, whose MFA is on now) answers from it.
    for (const clientId of [mfaClient.clientId, member.client.clientId]) {
      const silent = await browser.get(url(clientId, pkce().challenge, { prompt: 'none' }));
      expect(paramsOf(silent.headers.get('location')!).code, clientId).toBeDefined();
    }
    const [row] = await sql<{ mfa_at: Date | null; auth_method: string }>(
      app.t,
      `SELECT mfa_at, auth_method FROM hosted_session WHERE user_id = $1`,
      [member.user.id],
    );
    expect(row!.mfa_at).not.toBeNull();
    expect(row!.auth_method).toBe('TOTP');
    // A browser that signed in with the password only before the user turned MFA on gets the form.
    expect(
      (await sql(app.t, `SELECT 1 FROM hosted_session WHERE user_id = $1`, [member.user.id])).length,
    ).toBe(1);
  });

  it('/oauth2/logout and the end of all of the user’s sessions (a password reset) end the hosted session', async () => {
    const member = await seedTenant(app.t, { client: { public: true, redirectUrls: [REDIRECT] } });
    const signedOutBy = async (
      end: (tokens: { id_token: string }, browser: HttpBrowser) => Promise<void>,
    ) => {
      const { browser, tokens } = await signedInBrowser(member);
      const before = await browser.get(url(member.client.clientId, pkce().challenge, { prompt: 'none' }));
      expect(paramsOf(before.headers.get('location')!).code).toBeDefined();
      await end(tokens, browser);
      const after = await browser.get(url(member.client.clientId, pkce().challenge, { prompt: 'none' }));
      expect(paramsOf(after.headers.get('location')!).error).toBe('login_required');
    };
    await signedOutBy(async (tokens, browser) => {
      const out = await browser.get(`${app.publicUrl}/oauth2/logout?id_token_hint=${tokens.id_token}`);
      expect(out.status).toBe(200);
      expect(browser.cookies.has('oauth2_session')).toBe(false);
    });
    await signedOutBy(async () => {
      const res = await app.t.http
        .patch(`/admin/users/${member.user.id}`)
        .set('Authorization', `Bearer ${TEST_ADMIN_KEY}`)
        .send({ password: 'Another-Harbour-Lantern-77' });
      expect(res.status).toBe(200);
      member.password = 'Another-Harbour-Lantern-77';
    });
  });

  it('a redirect session bound by a sessionToken starts a hosted session with the time of that login', async () => {
    const browser = new HttpBrowser();
    const visitor = await visitorToken(app.t, seed.client.clientId);
    const login = await app.t.http
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email: seed.email }, password: seed.password });
    const loggedInAt = Math.floor(Date.now() / 1000);
    await sleep(1100);
    const { verifier, challenge } = pkce();
    const rs = await app.t.http
      .post('/auth/v2/redirect-sessions')
      .set(bearer(visitor))
      .send({
        auth: {
          clientId: seed.client.clientId,
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
          responseMode: 'query',
          responseType: 'code',
          scope: 'openid offline_access',
          state: 'st-bound',
          sessionToken: login.body.sessionToken,
        },
      });
    expect(rs.status, JSON.stringify(rs.body)).toBe(200);
    const opened = await browser.get(rs.body.redirectSession.fullUrl);
    expect(opened.status).toBe(302);
    const id = decodeClaims(
      (await exchange(seed.client.clientId, opened.headers.get('location')!, verifier)).id_token,
    );
    expect(Math.abs((id.auth_time as number) - loggedInAt)).toBeLessThanOrEqual(1);
    const silent = await browser.get(url(sibling.clientId, pkce().challenge, { prompt: 'none' }));
    expect(paramsOf(silent.headers.get('location')!).code).toBeDefined();
  });
});
