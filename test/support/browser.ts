import { expect } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import type { Seed } from './fixtures.js';
import type { PublicApp } from './headless.js';

/**
 * A browser played by plain HTTP: follows nothing by itself (every redirect is looked at), keeps
 * cookies by name (this service's cookies are host-only and all on /oauth2), and fills in the
 * hosted login form the way a user would.
 */
export class HttpBrowser {
  readonly cookies = new Map<string, { value: string; attributes: string }>();

  private header(): Record<string, string> {
    const jar = [...this.cookies].map(([name, c]) => `${name}=${c.value}`).join('; ');
    return jar ? { cookie: jar } : {};
  }

  private keep(res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0\b/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, { value, attributes: attributes.join(';').trim() });
    }
    return res;
  }

  async get(url: string | URL): Promise<Response> {
    return this.keep(
      await fetch(url, { redirect: 'manual', headers: { accept: 'text/html', ...this.header() } }),
    );
  }

  async post(url: string | URL, form: Record<string, string>): Promise<Response> {
    return this.keep(
      await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
          ...this.header(),
        },
        body: new URLSearchParams(form),
      }),
    );
  }

  /** Answers the hosted login form of a page (its action, redirectSession and, when asked, mfaToken). */
  static form(html: string): { action: string; fields: Record<string, string> } {
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    expect(action, 'a form on the page').toBeTruthy();
    const fields: Record<string, string> = {};
    for (const m of html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g))
      fields[m[1]!] = m[2]!;
    return { action: action!, fields };
  }

  /** Opens an authorization URL that shows the form, signs in, and answers where the browser goes. */
  async signIn(authorizationUrl: string | URL, email: string, password: string): Promise<URL> {
    const page = await this.get(authorizationUrl);
    expect(page.status, 'the hosted login page').toBe(200);
    const { action, fields } = HttpBrowser.form(await page.text());
    const done = await this.post(action, { ...fields, email, password });
    expect(done.status, 'signed in').toBe(303);
    return new URL(done.headers.get('location')!);
  }
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The standard authorization request of a client, as a URL. */
export function authorizeUrl(
  publicUrl: string,
  params: { client_id: string; redirect_uri: string; challenge: string } & Record<string, string>,
): URL {
  const { challenge, ...rest } = params;
  const url = new URL(`${publicUrl}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope: 'openid',
    state: 'st',
    ...rest,
  }).toString();
  return url;
}

/** The parameters of a redirect (query, or fragment when asked). */
export function paramsOf(
  location: string | URL,
  part: 'query' | 'fragment' = 'query',
): Record<string, string> {
  const url = new URL(location);
  return Object.fromEntries(part === 'query' ? url.searchParams : new URLSearchParams(url.hash.slice(1)));
}

/**
 * The authorization-code flow through the hosted page for public clients redirecting to
 * `redirectUri`: the request URL, the code exchange (which must answer 200), and a browser signed
 * in at the hosted page (through `defaultSeed()`'s client unless told otherwise). Getters, since
 * the app and the seed exist only once the spec's `beforeAll` has run.
 */
export function codeFlow(app: () => PublicApp, redirectUri: string, defaultSeed: () => Seed) {
  const url = (clientId: string, challenge: string, more: Record<string, string> = {}) =>
    authorizeUrl(app().publicUrl, { client_id: clientId, redirect_uri: redirectUri, challenge, ...more });

  async function exchange(clientId: string, location: string | URL, verifier: string) {
    const res = await app()
      .t.http.post('/oauth2/token')
      .type('form')
      .send({
        grant_type: 'authorization_code',
        client_id: clientId,
        code: paramsOf(location).code!,
        code_verifier: verifier,
        redirect_uri: redirectUri,
      });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { access_token: string; refresh_token: string; id_token: string };
  }

  /** A browser signed in at the hosted page for `s` (through its client unless `clientId`). */
  async function signedInBrowser(s: Seed = defaultSeed(), clientId = s.client.clientId) {
    const browser = new HttpBrowser();
    const { verifier, challenge } = pkce();
    const before = Math.floor(Date.now() / 1000);
    const callback = await browser.signIn(url(clientId, challenge), s.email, s.password);
    const tokens = await exchange(clientId, callback, verifier);
    return { browser, signedInAt: before, tokens };
  }

  return { url, exchange, signedInBrowser };
}
