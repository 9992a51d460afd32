import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { authorizeUrl, codeFlow, HttpBrowser, paramsOf, pkce } from './support/browser.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { createPublicApp, PublicApp } from './support/headless.js';

const REDIRECT = 'https://rp.example.com/cb';

/**
 * OpenID Connect conformance of the authorization endpoint, part 2 (part 1 is
 * oidc-conformance.e2e-spec.ts): errors that go back to a known client's redirect URI (and those
 * that never do), the request as a form POST, and RFC 8252's loopback redirect URIs.
 */
describe('OpenID Connect conformance: authorization errors, form POST requests, native redirect URIs', () => {
  let app: PublicApp;
  let seed: Seed;

  beforeAll(async () => {
    app = await createPublicApp();
    seed = await seedTenant(app.t, {
      client: { public: true, redirectUrls: [REDIRECT], allowedOrigins: ['https://rp.example.com'] },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  const { url, exchange, signedInBrowser } = codeFlow(
    () => app,
    REDIRECT,
    () => seed,
  );

  it('errors of a known client and registered redirect URI go there with error, error_description, state and iss', async () => {
    const browser = new HttpBrowser();
    const { challenge, verifier } = pkce();
    const cases: [Record<string, string>, string][] = [
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ response_type: '' }, 'unsupported_response_type'],
      [{ scope: 'openid bogus' }, 'invalid_scope'],
      [{ code_challenge_method: 'plain', code_challenge: verifier }, 'invalid_request'],
      [{ code_challenge: '' }, 'invalid_request'],
      [{ response_mode: 'form_post' }, 'invalid_request'],
      [{ prompt: 'none login' }, 'invalid_request'],
      [{ prompt: 'bogus' }, 'invalid_request'],
      [{ max_age: '-1' }, 'invalid_request'],
      [{ request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported'],
      [{ request_uri: 'https://rp.example.com/r' }, 'request_uri_not_supported'],
    ];
    for (const [more, error] of cases) {
      const res = await browser.get(url(seed.client.clientId, challenge, { state: 'st-err', ...more }));
      expect(res.status, JSON.stringify(more)).toBe(302);
      const location = res.headers.get('location')!;
      expect(location.startsWith(`${REDIRECT}?`)).toBe(true);
      expect(paramsOf(location), JSON.stringify(more)).toEqual({
        error,
        error_description: expect.any(String),
        state: 'st-err',
        iss: app.publicUrl,
      });
    }
    // Before the client and its redirect URI are known: a page, never a redirect.
    for (const bad of [
      url('no-such-client', challenge),
      url(seed.client.clientId, challenge, {
        redirect_uri: 'https://evil.example.com/cb',
        response_type: 'token',
      }),
    ]) {
      const res = await browser.get(bad);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('the authorization request also works as a form POST (OpenID Connect Core 3.1.2.1)', async () => {
    const { browser } = await signedInBrowser();
    const { verifier, challenge } = pkce();
    const form = Object.fromEntries(url(seed.client.clientId, challenge, { prompt: 'none' }).searchParams);
    const res = await browser.post(`${app.publicUrl}/oauth2/authorize`, form);
    expect(res.status).toBe(303);
    await exchange(seed.client.clientId, res.headers.get('location')!, verifier);
    const anonymous = await new HttpBrowser().post(`${app.publicUrl}/oauth2/authorize`, form);
    expect(paramsOf(anonymous.headers.get('location')!).error).toBe('login_required');
  });

  it('loopback redirect URIs of native apps match on any port (RFC 8252 section 7.3)', async () => {
    const native = (
      await seed.provisioning.clients.createClient({
        clientId: unique('native'),
        name: 'Desktop app',
        tenantId: seed.tenant.id,
        redirectUrls: ['http://127.0.0.1/callback', 'com.example.app:/oauth2redirect'],
        public: true,
      })
    ).client;
    const { browser } = await signedInBrowser();
    const { verifier, challenge } = pkce();
    const loopback = 'http://127.0.0.1:53711/callback';
    const res = await browser.get(
      authorizeUrl(app.publicUrl, {
        client_id: native.clientId,
        redirect_uri: loopback,
        challenge,
        prompt: 'none',
      }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('location')!.startsWith(`${loopback}?code=`)).toBe(true);
    const tokens = await app.t.http
      .post('/oauth2/token')
      .type('form')
      .send({
        grant_type: 'authorization_code',
        client_id: native.clientId,
        code: paramsOf(res.headers.get('location')!).code!,
        code_verifier: verifier,
        redirect_uri: loopback,
      });
    expect(tokens.status).toBe(200);
    // Only the port may differ.
    for (const bad of [
      'http://127.0.0.1:53711/other',
      'http://localhost:53711/callback',
      'http://[::1]:53711/callback',
      'https://127.0.0.1:53711/callback',
    ]) {
      expectError(
        await app.t.http
          .get('/oauth2/authorize')
          .query(
            Object.fromEntries(
              authorizeUrl(app.publicUrl, { client_id: native.clientId, redirect_uri: bad, challenge })
                .searchParams,
            ),
          ),
        400,
        'INVALID_REDIRECT_URI',
      );
    }
  });
});
