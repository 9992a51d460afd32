import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumSuiteTitle, HAS_CHROMIUM, launchChromium } from './support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims } from './support/assertions.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { createPublicApp, PublicApp, pkcePair } from './support/headless.js';
import { sql } from './support/test-app.js';

const TITLE = chromiumSuiteTitle('stock browser clients in a real Chromium');

/**
 * The browser bundle of oidc-client-ts (a widely used SPA library), read from its dist folder:
 * it is not in the package's `exports`, so it cannot be resolved by name.
 */
const OIDC_CLIENT_TS = readFileSync(
  join(
    dirname(createRequire(import.meta.url).resolve('oidc-client-ts')),
    '..',
    'browser',
    'oidc-client-ts.min.js',
  ),
  'utf8',
);

/** The SPA: one UserManager, configured from the page's query (authority and client id). */
const page = (body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>spa</title>
<script src="/oidc-client-ts.js"></script></head><body><script>
  var q = new URLSearchParams(location.search);
  var cfg = JSON.parse(localStorage.getItem('cfg') || 'null');
  if (q.get('authority')) { cfg = { authority: q.get('authority'), client_id: q.get('client_id') }; localStorage.setItem('cfg', JSON.stringify(cfg)); }
  window.mgr = new oidc.UserManager({
    authority: cfg.authority, client_id: cfg.client_id,
    redirect_uri: location.origin + '/callback', silent_redirect_uri: location.origin + '/silent',
    post_logout_redirect_uri: location.origin + '/bye', response_type: 'code',
    scope: 'openid profile email offline_access', loadUserInfo: true, automaticSilentRenew: false,
    userStore: new oidc.WebStorageStateStore({ store: window.localStorage }),
  });
  ${body}
</script></body></html>`;

const PAGES: Record<string, string> = {
  '/': page('window.ready = true;'),
  '/callback': page(
    'mgr.signinRedirectCallback().then(function (u) { window.done = { user: u }; }, function (e) { window.done = { error: String(e) }; });',
  ),
  '/silent': page('mgr.signinSilentCallback();'),
  '/bye': page('window.ready = true;'),
};

class SpaSite {
  private server: Server | undefined;
  origin = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/oidc-client-ts.js') {
        res.setHeader('content-type', 'text/javascript');
        return void res.end(OIDC_CLIENT_TS);
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.statusCode = PAGES[path] ? 200 : 404;
      res.end(PAGES[path] ?? 'not found');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

interface SpaUser {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  profile: Record<string, unknown>;
}

describe.skipIf(!HAS_CHROMIUM)(TITLE, () => {
  let app: PublicApp;
  let seed: Seed;
  let browser: Browser;
  const spa = new SpaSite();

  beforeAll(async () => {
    await spa.start();
    app = await createPublicApp();
    seed = await seedTenant(app.t, {
      client: {
        public: true,
        redirectUrls: [`${spa.origin}/callback`, `${spa.origin}/silent`, `${spa.origin}/bye`],
        allowedOrigins: [spa.origin],
      },
      user: { firstName: 'Ada', lastName: 'Lovelace' },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await spa.stop();
  });

  const call = <T>(p: Page, script: string): Promise<T> =>
    p.evaluate(`(async () => { return await (${script}); })()`) as Promise<T>;

  it('oidc-client-ts: sign-in redirect, userinfo, refresh, silent sign-in (prompt=none in a frame), revocation and logout', async () => {
    const p = await browser.newPage();
    await p.goto(
      `${spa.origin}/?${new URLSearchParams({ authority: app.publicUrl, client_id: seed.client.clientId })}`,
    );
    await p.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    // signinRedirect: discovery, PKCE, the hosted login page.
    await Promise.all([
      p.waitForURL((u) => u.href.startsWith(`${app.publicUrl}/oauth2/authorize`)),
      p.evaluate('void mgr.signinRedirect()'),
    ]);
    await p.fill('#email', seed.email);
    await p.fill('#password', seed.password);
    await Promise.all([
      p.waitForURL((u) => u.href.startsWith(`${spa.origin}/callback`)),
      p.click('button[type=submit]'),
    ]);
    await p.waitForFunction(() => (window as unknown as { done?: unknown }).done !== undefined);
    const done = await p.evaluate(
      () => (window as unknown as { done: { user?: SpaUser; error?: string } }).done,
    );
    expect(done.error).toBeUndefined();
    const user = done.user!;
    expect(user.profile).toMatchObject({
      sub: seed.user.id,
      email: seed.email,
      email_verified: true,
      name: 'Ada Lovelace',
    });
    expect(JSON.parse(Buffer.from(user.id_token!.split('.')[0]!, 'base64url').toString()).alg).toBe('RS256');

    // Refresh through the token endpoint (signinSilent uses the refresh token when there is one).
    const refreshed = await call<SpaUser>(p, 'mgr.signinSilent()');
    expect(refreshed.access_token).not.toBe(user.access_token);
    expect(refreshed.refresh_token).not.toBe(user.refresh_token);

    // Without stored tokens: a hidden frame with prompt=none, answered from the hosted session.
    await call(p, 'mgr.removeUser()');
    const silent = await call<SpaUser>(p, 'mgr.signinSilent()');
    expect(silent.profile.sub).toBe(seed.user.id);
    expect(decodeClaims(silent.access_token).sid).not.toBe(decodeClaims(refreshed.access_token).sid);

    // Revocation (RFC 7009) of the refresh token: it stops working.
    await call(p, "mgr.revokeTokens(['refresh_token'])");
    const afterRevoke = await app.t.http.post('/oauth2/token').type('form').send({
      grant_type: 'refresh_token',
      client_id: seed.client.clientId,
      refresh_token: silent.refresh_token,
    });
    expect(afterRevoke.status).toBe(400);

    // RP-initiated logout with the id_token: at once, back to post_logout_redirect_uri.
    const current = await call<SpaUser>(p, 'mgr.signinSilent()');
    await Promise.all([
      p.waitForURL((u) => u.href.startsWith(`${spa.origin}/bye`)),
      p.evaluate('void mgr.signoutRedirect()'),
    ]);
    const [live] = await sql<{ revoked: boolean }>(
      app.t,
      `SELECT revoked_at IS NOT NULL AS revoked FROM session WHERE id = $1`,
      [decodeClaims(current.access_token).sid],
    );
    expect(live!.revoked).toBe(true);
    // The hosted session ended with it: a silent sign-in is login_required now.
    await p.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    await call(p, 'mgr.removeUser()');
    const signedOut = await call<string>(
      p,
      "mgr.signinSilent().then(() => 'ok', (e) => String(e.error || e))",
    );
    expect(signedOut).toContain('login_required');
    await p.close();
  });

  it("a native app's private-use-scheme redirect leaves the hosted form (form-action allows the scheme)", async () => {
    const native = (
      await seed.provisioning.clients.createClient({
        clientId: unique('native'),
        name: 'Mobile app',
        tenantId: seed.tenant.id,
        redirectUrls: ['com.example.app:/oauth2redirect'],
        public: true,
      })
    ).client;
    const { verifier, challenge } = pkcePair();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: native.clientId,
      redirect_uri: 'com.example.app:/oauth2redirect',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'openid',
      state: 'native',
    });
    const p = await browser.newPage();
    const consoleLines: string[] = [];
    p.on('console', (m) => consoleLines.push(m.text()));
    // The navigation the browser hands to the app shows on the DevTools protocol only.
    const cdp = await p.context().newCDPSession(p);
    await cdp.send('Network.enable');
    const launched: string[] = [];
    cdp.on('Network.requestWillBeSent', (e: { request: { url: string } }) => {
      if (e.request.url.startsWith('com.example.app:')) launched.push(e.request.url);
    });
    await p.goto(`${app.publicUrl}/oauth2/authorize?${query}`);
    await p.fill('#email', seed.email);
    await p.fill('#password', seed.password);
    await p.click('button[type=submit]');
    await expect.poll(() => launched.length + consoleLines.length, { timeout: 5000 }).toBeGreaterThan(0);
    // Not blocked by the page's CSP (Chromium applies form-action to the redirect after a post).
    expect(consoleLines.join('\n')).not.toMatch(/form-action/);
    expect(launched).toHaveLength(1);
    expect(launched[0]!.startsWith('com.example.app:/oauth2redirect?code=')).toBe(true);
    const code = new URL(launched[0]!).searchParams.get('code')!;
    const tokens = await app.t.http.post('/oauth2/token').type('form').send({
      grant_type: 'authorization_code',
      client_id: native.clientId,
      code,
      code_verifier: verifier,
      redirect_uri: 'com.example.app:/oauth2redirect',
    });
    expect(tokens.status).toBe(200);
    await p.close();
  });
});
