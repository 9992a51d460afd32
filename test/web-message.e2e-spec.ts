import { createServer, Server } from 'node:http';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { chromiumSuiteTitle, HAS_CHROMIUM, launchChromium } from './support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthClient } from '../src/identity/identity.types.js';
import { decodeClaims } from './support/assertions.js';
import { seedTenant, Seed, STRONG_PASSWORD, unique } from './support/fixtures.js';
import { MailCatcher } from './support/mail-catcher.js';
import { bearer, createPublicApp, pkcePair, PublicApp, visitorToken } from './support/headless.js';

const TITLE = chromiumSuiteTitle('web_message in a real Chromium');

/**
 * A client's page that opens a redirect session's fullUrl in an iframe and records every message
 * it receives: the seed-002 way of getting the code. Served on its own loopback origin.
 */
const CLIENT_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>client</title></head><body>
<script>
  window.received = [];
  window.addEventListener('message', function (e) { window.received.push({ origin: e.origin, data: e.data }); });
  var f = document.createElement('iframe');
  f.src = new URLSearchParams(location.search).get('src');
  f.onload = function () { window.frameLoaded = true; };
  document.body.appendChild(f);
</script></body></html>`;

class ClientSite {
  private server: Server | undefined;
  origin = '';

  async start(): Promise<void> {
    this.server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(CLIENT_PAGE);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

interface Received {
  origin: string;
  data: { code?: string; state?: string; error?: string; iss?: string };
}

describe.skipIf(!HAS_CHROMIUM)(TITLE, () => {
  let app: PublicApp;
  let seed: Seed;
  let browser: Browser;
  /** The client's registered origin (its redirect URL is here). */
  const registered = new ClientSite();
  /** Listed in allowedOrigins (may frame the page) but not the redirect URI's origin. */
  const otherAllowed = new ClientSite();
  /** Not registered anywhere. */
  const stranger = new ClientSite();
  let client: AuthClient;
  let mail: MailCatcher;

  beforeAll(async () => {
    await Promise.all([registered.start(), otherAllowed.start(), stranger.start()]);
    mail = new MailCatcher();
    await mail.start();
    app = await createPublicApp({ SMTP_URL: mail.url, MAIL_FROM: 'auth@example.com' });
    seed = await seedTenant(app.t, {
      client: {
        public: true,
        redirectUrls: [`${registered.origin}/callback`],
        allowedOrigins: [registered.origin, otherAllowed.origin],
      },
    });
    client = seed.client;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await Promise.all([registered.stop(), otherAllowed.stop(), stranger.stop()]);
    await mail?.stop();
  });

  /** A web_message redirect session bound to the seeded member by a sessionToken. */
  async function fullUrl(state: string): Promise<{ url: string; verifier: string }> {
    const visitor = await visitorToken(app.t, client.clientId);
    const login = await app.t.http
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email: seed.email }, password: seed.password });
    const { verifier, challenge } = pkcePair();
    const rs = await app.t.http
      .post('/auth/v2/redirect-sessions')
      .set(bearer(visitor))
      .send({
        auth: {
          clientId: client.clientId,
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
          responseMode: 'web_message',
          responseType: 'code',
          scope: 'offline_access',
          state,
          sessionToken: login.body.sessionToken,
        },
      });
    expect(rs.status).toBe(200);
    return { url: rs.body.redirectSession.fullUrl, verifier };
  }

  /** Opens the client page on `site` framing `url`; resolves when the browser has dealt with the frame. */
  async function open(site: ClientSite, url: string, settled: (m: ConsoleMessage) => boolean): Promise<Page> {
    const page = await browser.newPage();
    const seen = new Promise<void>((resolve) =>
      page.on('console', (m) => {
        if (settled(m)) resolve();
      }),
    );
    const served = page.waitForResponse((r) => r.url().startsWith(`${app.publicUrl}/oauth2/authorize`));
    await page.goto(`${site.origin}/?src=${encodeURIComponent(url)}`);
    const response = await served;
    expect(response.status()).toBe(200);
    await Promise.race([
      seen,
      page.waitForFunction(() => (window as unknown as { received: unknown[] }).received.length > 0),
      page.waitForFunction(() => (window as unknown as { frameLoaded?: boolean }).frameLoaded === true),
    ]);
    return page;
  }

  const received = (page: Page) =>
    page.evaluate(() => (window as unknown as { received: Received[] }).received);

  /**
   * Waits until every message the page's frame posted so far has reached the page, then forgets
   * the marker used: the frame posts a marker after them, and messages from one window arrive in
   * the order they were posted. A poll on the effect, not a pause for a stray message to show up.
   */
  async function flushMessages(page: Page): Promise<void> {
    const frame = page.mainFrame().childFrames()[0]!;
    const marker = `flush-${Math.random()}`;
    await frame.evaluate((m) => window.parent.postMessage(m, '*'), marker);
    type Received = { data: unknown }[];
    await page.waitForFunction(
      (m) => (window as unknown as { received: Received }).received.some((r) => r.data === m),
      marker,
    );
    await page.evaluate((m) => {
      const w = window as unknown as { received: Received };
      w.received = w.received.filter((r) => r.data !== m);
    }, marker);
  }

  /**
   * Asserts the browser refused to render our page in the client page's frame: the frame's load
   * event fired, but its document is the browser's own error page (frame-ancestors / X-Frame-Options),
   * not ours, so none of our markup or script ran in it.
   */
  async function expectFrameBlocked(page: Page): Promise<void> {
    await page.waitForFunction(() => (window as unknown as { frameLoaded?: boolean }).frameLoaded === true);
    const frames = page.mainFrame().childFrames();
    expect(frames).toHaveLength(1);
    expect(frames[0]!.url()).not.toContain(app.publicUrl);
    const heading = await frames[0]!.evaluate(() => document.querySelector('h1')?.textContent ?? null);
    expect(heading).not.toMatch(/Signed in|Sign in|Not signed in/);
    expect(await frames[0]!.evaluate(() => document.querySelector('form'))).toBeNull();
  }

  it('the registered origin receives {code, state} by postMessage, and the code buys tokens', async () => {
    const { url, verifier } = await fullUrl('state-ok');
    const page = await open(registered, url, () => false);
    const messages = await received(page);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.origin).toBe(app.publicUrl);
    // RFC 9207's `iss` comes with the code, as in the query and fragment answers.
    expect(messages[0]!.data).toEqual({ code: expect.any(String), state: 'state-ok', iss: app.publicUrl });
    const tokens = await app.t.http.post('/oauth2/token').send({
      clientId: client.clientId,
      grantType: 'authorization_code',
      code: messages[0]!.data.code,
      codeVerifier: verifier,
    });
    expect(tokens.status).toBe(200);
    expect(decodeClaims(tokens.body.access_token).sub).toBe(seed.user.id);
    await page.close();
  });

  it('a page on an unregistered origin cannot frame it and receives nothing', async () => {
    const { url } = await fullUrl('state-stranger');
    const page = await open(stranger, url, (m) => /frame-ancestors/i.test(m.text()));
    // The browser refused to render the frame (CSP frame-ancestors): its document is not our page.
    await expectFrameBlocked(page);
    // Every message the frame might have posted has arrived by now: none.
    await flushMessages(page);
    expect(await received(page)).toEqual([]);
    await page.close();
  });

  it('without a signed-in session the registered origin receives {error: "login_required", state}, never a form', async () => {
    const visitor = await visitorToken(app.t, client.clientId);
    const { challenge } = pkcePair();
    const rs = await app.t.http
      .post('/auth/v2/redirect-sessions')
      .set(bearer(visitor))
      .send({
        auth: {
          clientId: client.clientId,
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
          responseMode: 'web_message',
          responseType: 'code',
          scope: 'offline_access',
          state: 'state-anon',
        },
      });
    expect(rs.status).toBe(200);
    const page = await open(registered, rs.body.redirectSession.fullUrl, () => false);
    await page.waitForFunction(
      () => (window as unknown as { received: unknown[] }).received.length > 0,
      undefined,
      { timeout: 5000 },
    );
    const messages = await received(page);
    // (Other members of the payload, such as `iss`, may come too; a code never does.)
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      origin: app.publicUrl,
      data: { error: 'login_required', state: 'state-anon', iss: app.publicUrl },
    });
    expect(messages[0]!.data.code).toBeUndefined();
    const frame = page.mainFrame().childFrames()[0]!;
    expect(await frame.evaluate(() => document.querySelector('form'))).toBeNull();
    await page.close();
  });

  it("the hosted login form cannot be framed, not even by the client's own origin", async () => {
    const { challenge } = pkcePair();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: `${registered.origin}/callback`,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'framed-form',
    });
    const page = await open(registered, `${app.publicUrl}/oauth2/authorize?${query}`, () => false);
    await expectFrameBlocked(page);
    await page.close();
  });

  it("an allowed framer that is not the redirect URI's origin receives nothing either (never postMessage '*')", async () => {
    const { url } = await fullUrl('state-other');
    const page = await open(otherAllowed, url, () => false);
    // The frame rendered and its script ran (before the frame's load event), posting to the
    // registered origin only: the browser drops the message for this page.
    const frame = page.frames().find((f) => f.url().startsWith(`${app.publicUrl}/oauth2/authorize`));
    expect(await frame!.textContent('h1')).toBe('Signed in');
    await flushMessages(page);
    expect(await received(page)).toEqual([]);
    await page.close();
  });

  it('the hosted login page in the browser: the form post lands on the client callback with a code', async () => {
    const { verifier, challenge } = pkcePair();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: `${registered.origin}/callback`,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'browser',
      scope: 'openid',
    });
    const page = await browser.newPage();
    await page.goto(`${app.publicUrl}/oauth2/authorize?${query}`);
    await page.fill('#email', seed.email);
    await page.fill('#password', 'Wrong-Password-123');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    expect(await page.textContent('.error')).toContain('Invalid email or password');
    await page.fill('#password', seed.password);
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(`${registered.origin}/callback`)),
      page.click('button[type=submit]'),
    ]);
    const params = new URL(page.url()).searchParams;
    expect(params.get('state')).toBe('browser');
    const tokens = await app.t.http.post('/oauth2/token').send({
      clientId: client.clientId,
      grantType: 'authorization_code',
      code: params.get('code'),
      codeVerifier: verifier,
    });
    expect(tokens.status).toBe(200);
    expect(decodeClaims(tokens.body.id_token).sub).toBe(seed.user.id);
    await page.close();
  });

  it('the recovery link in the browser: the hosted form sets the password and goes on to redirect.url', async () => {
    const email = `${unique('browser')}@example.com`;
    await seed.provisioning.users.createUser({ email, password: STRONG_PASSWORD, tenantId: seed.tenant.id });
    const visitor = await visitorToken(app.t, client.clientId);
    const sent = await app.t.http
      .post('/auth/v2/recovery/send-email')
      .set(bearer(visitor))
      .send({ email, redirect: { url: `${registered.origin}/callback`, clientId: client.clientId } });
    expect(sent.status).toBe(200);
    const m = await mail.waitFor((x) => x.to.includes(email.toLowerCase()));
    const link = /https?:\/\/\S+\/auth\/v2\/recovery\?token=[\w-]+/.exec(m.text)![0];
    const page = await browser.newPage();
    await page.goto(link);
    await page.fill('#password', 'Copper-Meadow-Signal-88');
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(`${registered.origin}/callback`)),
      page.click('button[type=submit]'),
    ]);
    const login = await app.t.http
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email }, password: 'Copper-Meadow-Signal-88' });
    expect(login.body.state).toBe('SUCCESS');
    await page.close();
  });
});
