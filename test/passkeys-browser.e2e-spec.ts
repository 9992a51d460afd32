import type { Browser, Page } from 'playwright-core';
import { chromiumSuiteTitle, HAS_CHROMIUM, launchChromium } from './support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { buildSdk, ClientSite, removeDir } from './support/browser-site.js';
import { seedTenant, Seed } from './support/fixtures.js';
import { createPublicApp, pkcePair, PublicApp, redirectParams, visitorToken } from './support/headless.js';
import { expectGrantTokens, passwordGrant, sessionAuthMethod } from './support/mfa.js';
import { exchangeSessionToken, loginActivityMethods } from './support/passkeys.js';
import { sql } from './support/test-app.js';

const TITLE = chromiumSuiteTitle('passkeys in a real Chromium (virtual authenticator)');

type Answer =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; status?: number; code?: string; message: string };

function valueOf<T>(answer: Answer): T {
  if (!answer.ok) throw new Error(`the page failed: ${JSON.stringify(answer)}`);
  return answer.value as T;
}

/**
 * API.md section 13 end to end in Chromium with the CDP virtual authenticator: the service on
 * http://localhost (a host name: an IP address is no RP id), a client's login page on another
 * localhost port using the SDK (registerPasskey, signInWithPasskey, confirmMfaWithPasskey), the
 * hosted login page's "Sign in with a passkey", and the refusals a browser can be led into.
 */
describe.skipIf(!HAS_CHROMIUM)(TITLE, () => {
  let app: PublicApp;
  let sdkDir: string;
  let site: ClientSite;
  /** Allowed by another client only: a page that client A must not accept passkeys from. */
  let otherSite: ClientSite;
  let seed: Seed;
  let other: Seed;
  let browser: Browser;

  beforeAll(async () => {
    sdkDir = await buildSdk();
    app = await createPublicApp({}, 'localhost');
    site = new ClientSite(sdkDir, app.publicUrl);
    otherSite = new ClientSite(sdkDir, app.publicUrl);
    await Promise.all([site.start(), otherSite.start()]);
    seed = await seedTenant(app.t, {
      client: { public: true, redirectUrls: [`${site.origin}/callback`], allowedOrigins: [site.origin] },
    });
    other = await seedTenant(app.t, { client: { public: true, allowedOrigins: [otherSite.origin] } });
    site.clientId = seed.client.clientId;
    otherSite.clientId = seed.client.clientId;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([site?.stop(), otherSite?.stop()]);
    await app?.close();
    await removeDir(sdkDir);
  });

  /** A tab with its own virtual platform authenticator (resident keys, user verification). */
  async function tabWithAuthenticator(url: string): Promise<Page> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    return page;
  }

  /** Runs `script` (the body of an async function with `sdk`, `client` and `arg`) in the page. */
  function inPage(page: Page, script: string, arg: unknown = null): Promise<Answer> {
    return page.evaluate(
      async ([body, a]) => {
        const w = window as unknown as { sdk: unknown; newClient: (id?: string) => unknown };
        const client = w.newClient();
        try {
          const fn = new Function('sdk', 'client', 'arg', `return (async () => { ${body} })();`);
          return { ok: true as const, value: await fn(w.sdk, client, a) };
        } catch (err) {
          const e = err as { statusCode?: number; code?: string; message?: string };
          return { ok: false as const, status: e.statusCode, code: e.code, message: String(e.message) };
        }
      },
      [script, arg] as const,
    );
  }

  let tab: Page;
  let methodId: string;

  it('registers a passkey from the client page through the SDK (registerPasskey)', async () => {
    tab = await tabWithAuthenticator(site.origin);
    const grant = expectGrantTokens(await passwordGrant(app.t, seed));
    const res = await inPage(
      tab,
      `await client.auth.setTokens(arg); return client.auth.registerPasskey({ name: 'Chromium' });`,
      grant,
    );
    expect(res).toEqual({
      ok: true,
      value: { methodId: expect.any(String), type: 'passkey', name: 'Chromium' },
    });
    methodId = valueOf<{ methodId: string }>(res).methodId;
    const [row] = await sql<{ backup_eligible: boolean; transports: string[] }>(
      app.t,
      `SELECT backup_eligible, transports FROM passkey_credential WHERE id = $1`,
      [methodId],
    );
    expect(row).toBeDefined();
  });

  it('signs in with it, discoverable (no email typed): SUCCESS, then tokens with login activity PASSKEY', async () => {
    const res = await inPage(tab, `return client.auth.signInWithPasskey();`);
    expect(res.ok, JSON.stringify(res)).toBe(true);
    const answer = valueOf<{ state: string; sessionToken: string; identity: { id: string } }>(res);
    expect(answer.state).toBe('SUCCESS');
    expect(answer.identity.id).toBe(seed.user.id);
    const visitor = await visitorToken(app.t, seed.client.clientId);
    await exchangeSessionToken(app.t, seed.client.clientId, visitor, answer.sessionToken);
    expect(await loginActivityMethods(app.t, seed.user.id)).toContain('PASSKEY');
  });

  it('is the second factor of the section 8 grant (authenticate, then confirmMfaWithPasskey)', async () => {
    const res = await inPage(
      tab,
      `try { await client.auth.authenticate(arg); } catch (e) {
         if (!(e instanceof sdk.MfaRequiredError)) throw e;
         const mfa = e.response.mfa;
         const passkey = mfa.methods.find((m) => m.type === 'passkey');
         return client.auth.confirmMfaWithPasskey({ token: mfa.token, methodId: passkey.id });
       }
       throw new Error('no MFA step');`,
      { email: seed.email, password: seed.password },
    );
    expect(res.ok, JSON.stringify(res)).toBe(true);
    const tokens = valueOf<{ id: string; userId: string }>(res);
    expect(tokens.userId).toBe(seed.user.id);
    expect(await sessionAuthMethod(app.t, tokens.id)).toBe('PASSKEY');
  });

  it('signs in on the hosted login page of /oauth2/authorize ("Sign in with a passkey")', async () => {
    const { verifier, challenge } = pkcePair();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: seed.client.clientId,
      redirect_uri: `${site.origin}/callback`,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'hosted-1',
      scope: 'openid offline_access',
    });
    const hosted = await tab.goto(`${app.publicUrl}/oauth2/authorize?${query}`);
    const headers = hosted!.headers();
    // The page keeps its strict CSP: a nonce for its one script, no inline handlers, never framed.
    expect(headers['content-security-policy']).toMatch(/script-src 'nonce-[^']+'/);
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    const html = await hosted!.text();
    expect(html).not.toMatch(/\son[a-z]+=/i);
    await Promise.all([
      tab.waitForURL(`${site.origin}/callback**`),
      tab.getByRole('button', { name: 'Sign in with a passkey' }).click(),
    ]);
    const params = redirectParams(tab.url());
    expect(params.state).toBe('hosted-1');
    const token = await app.t.http.post('/oauth2/token').send({
      clientId: seed.client.clientId,
      grantType: 'authorization_code',
      code: params.code,
      codeVerifier: verifier,
      redirectUri: `${site.origin}/callback`,
    });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    const methods = await loginActivityMethods(app.t, seed.user.id);
    expect(methods.filter((m) => m === 'PASSKEY').length).toBeGreaterThanOrEqual(3);
    await tab.goto(site.origin);
    await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  });

  it('refuses an assertion made on an origin the client does not allow (401 INVALID_PASSKEY)', async () => {
    // otherSite is allowed by another client (so CORS lets it call) but not by this client.
    const page = await tabWithAuthenticator(otherSite.origin);
    const grant = expectGrantTokens(await passwordGrant(app.t, other));
    const res = await inPage(
      page,
      `const own = window.newClient(arg.clientId);
       await own.auth.setTokens(arg.grant);
       await own.auth.registerPasskey();
       return client.auth.signInWithPasskey();`,
      { clientId: other.client.clientId, grant },
    );
    expect(res).toMatchObject({ ok: false, status: 401, code: 'INVALID_PASSKEY' });
    await page.context().close();
  });

  it('refuses a replayed challenge: the same stateToken with the same credential, and with a fresh one', async () => {
    const res = await inPage(
      tab,
      `const visitor = await client.auth.generateVisitorTokens();
       const post = (path, body) => fetch(arg.base + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + visitor.accessToken }, body: JSON.stringify(body) });
       const start = await (await post('/auth/v2/login/passkey/options', {})).json();
       const cred = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(start.options) });
       const body = { stateToken: start.stateToken, credential: cred.toJSON() };
       const first = await post('/auth/v2/login/passkey', body);
       const second = await post('/auth/v2/login/passkey', body);
       const again = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(start.options) });
       const third = await post('/auth/v2/login/passkey', { stateToken: start.stateToken, credential: again.toJSON() });
       return { first: first.status, second: second.status, third: third.status, code: (await third.json()).code };`,
      { base: app.publicUrl },
    );
    expect(res).toEqual({
      ok: true,
      value: { first: 200, second: 401, third: 401, code: 'INVALID_PASSKEY' },
    });
  });

  it("refuses a credential of another user for an account's options (email typed)", async () => {
    // A second member registers a passkey in another tab (its own authenticator) ...
    const second = await seedTenant(app.t, {
      client: { public: true, allowedOrigins: [site.origin] },
    });
    const page = await tabWithAuthenticator(site.origin);
    const grant = expectGrantTokens(await passwordGrant(app.t, second));
    const made = await inPage(
      page,
      `const own = window.newClient(arg.clientId); await own.auth.setTokens(arg.grant); return own.auth.registerPasskey();`,
      { clientId: second.client.clientId, grant },
    );
    expect(made.ok, JSON.stringify(made)).toBe(true);
    const [mine] = await sql<{ credential_id: string }>(
      app.t,
      `SELECT credential_id FROM passkey_credential WHERE user_id = $1`,
      [second.user.id],
    );
    // ... and answers the options of the first member's account with it.
    const res = await inPage(
      page,
      `const visitor = await client.auth.generateVisitorTokens();
       const post = (path, body) => fetch(arg.base + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + visitor.accessToken }, body: JSON.stringify(body) });
       const start = await (await post('/auth/v2/login/passkey/options', { loginId: { email: arg.email } })).json();
       const options = { ...start.options, allowCredentials: [{ id: arg.credentialId, type: 'public-key' }] };
       const cred = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
       const res = await post('/auth/v2/login/passkey', { stateToken: start.stateToken, credential: cred.toJSON() });
       return { status: res.status, code: (await res.json()).code };`,
      { base: app.publicUrl, email: seed.email, credentialId: mine!.credential_id },
    );
    expect(res).toEqual({ ok: true, value: { status: 401, code: 'INVALID_PASSKEY' } });
    await page.context().close();
    expectError(await passwordGrant(app.t, seed), 401, 'MFA_REQUIRED');
  });
});
