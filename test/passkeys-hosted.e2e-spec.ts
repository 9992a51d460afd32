import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspDirective } from './support/assertions.js';
import { seedTenant, Seed } from './support/fixtures.js';
import { pkcePair, redirectParams } from './support/headless.js';
import { memberToken, registerPasskey } from './support/passkeys.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { SoftAuthenticator } from './support/webauthn.js';

/**
 * The hosted login page's "Sign in with a passkey" (API.md section 13) at the HTTP level, with the
 * software authenticator answering the options the page carries: the page's CSP and framing, the
 * sign-in, the second-factor step, and the refusals. The Chromium run is in passkeys-browser.
 */
const PUBLIC = 'http://localhost:4402';
const CALLBACK = 'https://shop.example.com/callback';

interface HostedPage {
  redirectSession: string;
  passkeyState: string;
  options: { challenge: string; rpId: string };
  mfaToken?: string;
  html: string;
}

function readPage(html: string): HostedPage {
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  const options = /var o=(\{.*?\});var P=/.exec(html)?.[1];
  return {
    redirectSession: field('redirectSession')!,
    passkeyState: field('passkeyState')!,
    mfaToken: field('mfaToken'),
    options: JSON.parse(options!) as HostedPage['options'],
    html,
  };
}

describe('the hosted login page: "Sign in with a passkey"', () => {
  let t: TestApp;
  let seed: Seed;
  let authenticator: SoftAuthenticator;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL: PUBLIC });
    seed = await seedTenant(t, { client: { public: true, redirectUrls: [CALLBACK] } });
    authenticator = new SoftAuthenticator(PUBLIC);
    await registerPasskey(t, await memberToken(t, seed), authenticator);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function open(): Promise<{
    page: HostedPage;
    verifier: string;
    csp: string;
    res: Awaited<ReturnType<typeof get>>;
  }> {
    const { challenge, verifier } = pkcePair();
    const res = await get(challenge);
    expect(res.status).toBe(200);
    return { page: readPage(res.text), verifier, csp: res.headers['content-security-policy'] as string, res };
  }

  const get = (challenge: string) =>
    t.http.get('/oauth2/authorize').query({
      response_type: 'code',
      client_id: seed.client.clientId,
      redirect_uri: CALLBACK,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'st',
      scope: 'openid',
    });

  const post = (form: Record<string, string | undefined>) =>
    t.http
      .post('/oauth2/authorize')
      .type('form')
      .send(Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined)));

  const passkeyForm = (page: HostedPage, credential: unknown, passkeyState = page.passkeyState) => ({
    redirectSession: page.redirectSession,
    passkeyState,
    credential: JSON.stringify(credential),
    mfaToken: page.mfaToken,
  });

  it("offers the button with a nonce'd script: no inline handlers, never framed", async () => {
    const { page, csp, res } = await open();
    expect(page.html).toContain('Sign in with a passkey');
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(page.html).toContain(`<script nonce="${nonce}">`);
    expect(page.html).not.toMatch(/\son[a-z]+=/i);
    expect(page.html).not.toMatch(/javascript:/i);
    expect(cspDirective(res, 'frame-ancestors')).toEqual(["'none'"]);
    expect(cspDirective(res, 'default-src')).toEqual(["'none'"]);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(page.options).toMatchObject({ rpId: 'localhost', challenge: expect.any(String) });
    expect((page.options as { allowCredentials?: unknown }).allowCredentials).toBeUndefined();
  });

  it('signs in with a passkey: 303 to the redirect URI with a code; the session records PASSKEY', async () => {
    const { page, verifier } = await open();
    const res = await post(passkeyForm(page, authenticator.get(page.options)));
    expect(res.status, res.text).toBe(303);
    const params = redirectParams(res.headers.location);
    expect(params.state).toBe('st');
    const token = await t.http.post('/oauth2/token').send({
      clientId: seed.client.clientId,
      grantType: 'authorization_code',
      code: params.code,
      codeVerifier: verifier,
      redirectUri: CALLBACK,
    });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    const me = await t.http.get('/auth/me').set('Authorization', `Bearer ${token.body.access_token}`);
    expect(me.status).toBe(200);
  });

  it.each([
    ['an assertion made on another origin (a client page)', { origin: 'http://localhost:5175' }],
    ['a wrong RP id', { rpId: 'other.localhost' }],
    ['no user presence', { up: false }],
  ])('refuses %s: the page again with 401, no code', async (_, ceremony) => {
    const { page } = await open();
    const res = await post(passkeyForm(page, authenticator.get(page.options, ceremony)));
    expect(res.status).toBe(401);
    expect(res.text).toContain('The passkey was not accepted');
    expect(res.headers.location).toBeUndefined();
  });

  it("refuses the challenge of another page's redirect session, and a spent one", async () => {
    const first = await open();
    const second = await open();
    const stolen = await post(
      passkeyForm(second.page, authenticator.get(first.page.options), first.page.passkeyState),
    );
    expect(stolen.status).toBe(401);
    // The first page's challenge was spent by that refusal: its own session cannot use it either.
    const spent = await post(passkeyForm(first.page, authenticator.get(first.page.options)));
    expect(spent.status).toBe(401);
  });

  it('refuses a credential that is not JSON, and keeps the form usable', async () => {
    const { page } = await open();
    const res = await post({
      redirectSession: page.redirectSession,
      passkeyState: page.passkeyState,
      credential: '{nope',
    });
    expect(res.status).toBe(401);
    const again = readPage(res.text);
    expect(again.passkeyState).not.toBe(page.passkeyState);
  });

  describe('on the second-factor step (after the password)', () => {
    async function mfaPage(): Promise<HostedPage> {
      const { page } = await open();
      const res = await post({
        redirectSession: page.redirectSession,
        email: seed.email,
        password: seed.password,
      });
      expect(res.status).toBe(200);
      expect(res.text).toContain('Two-step verification');
      const step = readPage(res.text);
      expect(step.mfaToken).toBeDefined();
      return step;
    }

    it("takes the user's own passkey", async () => {
      const step = await mfaPage();
      const res = await post(passkeyForm(step, authenticator.get(step.options)));
      expect(res.status, res.text).toBe(303);
      expect(redirectParams(res.headers.location).code).toBeDefined();
    });

    it('refuses a passkey of another user (who could sign in alone, but not finish this password sign-in)', async () => {
      const other = await seedTenant(t, { client: { public: true } });
      await seed.provisioning.memberships.addMembership(other.user.id, seed.tenant.id, null, 'ACTIVE');
      const theirs = new SoftAuthenticator(PUBLIC);
      await registerPasskey(t, await memberToken(t, other), theirs);
      const step = await mfaPage();
      const res = await post(passkeyForm(step, theirs.get(step.options)));
      expect(res.status).toBe(401);
      expect(res.headers.location).toBeUndefined();
    });
  });
});
