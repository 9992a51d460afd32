import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant, Seed } from './support/fixtures.js';
import { createPublicApp, PublicApp } from './support/headless.js';

const REDIRECT_URI = 'https://rp.example.com/callback';

/**
 * A stock OpenID Connect client (`openid-client` from npm, unmodified) discovers the service and
 * completes authorization code + PKCE through the hosted login page, reads userinfo, refreshes,
 * revokes and logs out. Only the browser is played by plain HTTP requests.
 */
describe('a stock OpenID Connect client (openid-client)', () => {
  let app: PublicApp;
  let seed: Seed;

  beforeAll(async () => {
    app = await createPublicApp();
    seed = await seedTenant(app.t, {
      client: { public: true, redirectUrls: [REDIRECT_URI, 'https://rp.example.com/'], allowedOrigins: [] },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  const discover = (clientId: string, auth: oidc.ClientAuth = oidc.None()) =>
    oidc.discovery(new URL(app.publicUrl), clientId, undefined, auth, {
      execute: [oidc.allowInsecureRequests],
    });

  /** The browser: opens the authorization URL, fills in the hosted form, answers the callback URL. */
  async function signInThroughBrowser(authorizationUrl: URL, email: string, password: string): Promise<URL> {
    const page = await fetch(authorizationUrl, { redirect: 'manual' });
    expect(page.status).toBe(200);
    const html = await page.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
    const redirectSession = /name="redirectSession" value="([^"]+)"/.exec(html)![1]!;
    const posted = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ redirectSession, email, password }),
    });
    expect(posted.status).toBe(303);
    return new URL(posted.headers.get('location')!);
  }

  it('discovery, authorization code + PKCE, id_token, userinfo, refresh, revocation and logout', async () => {
    const config = await discover(seed.client.clientId);
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(app.publicUrl);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);

    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid email offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    expect(url.href.startsWith(`${app.publicUrl}/oauth2/authorize?`)).toBe(true);

    const callback = await signInThroughBrowser(url, seed.email, seed.password);
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(14400);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ sub: seed.user.id, aud: seed.client.clientId, email: seed.email });

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: seed.user.id, email: seed.email, email_verified: true });

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    // The rotated token is spent: reusing it is refused with the RFC error.
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });

    // Logout through end_session_endpoint with the id_token as hint.
    const fresh = await signInThroughBrowser(
      oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      }),
      seed.email,
      seed.password,
    );
    const second = await oidc.authorizationCodeGrant(config, fresh, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const logout = oidc.buildEndSessionUrl(config, {
      id_token_hint: second.id_token!,
      post_logout_redirect_uri: 'https://rp.example.com/',
    });
    const out = await fetch(logout, { redirect: 'manual' });
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('https://rp.example.com/');
    await expect(oidc.fetchUserInfo(config, second.access_token, oidc.skipSubjectCheck)).rejects.toBeTruthy();

    // Revocation of the refreshed pair's refresh token ends that session too.
    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('a wrong PKCE verifier and a reused code are refused with invalid_grant', async () => {
    const config = await discover(seed.client.clientId);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const callback = await signInThroughBrowser(url, seed.email, seed.password);
    await expect(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: state,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    const ok = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(ok.access_token).toBeTruthy();
    await expect(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('a confidential client authenticates with client_secret_basic (the default) and client_secret_post', async () => {
    const { client, clientSecret } = await seed.provisioning.clients.createClient({
      clientId: `conf-${Date.now()}`,
      name: 'Server-side app',
      tenantId: seed.tenant.id,
      redirectUrls: [REDIRECT_URI],
    });
    for (const auth of [oidc.ClientSecretBasic(clientSecret!), oidc.ClientSecretPost(clientSecret!)]) {
      const config = await discover(client.clientId, auth);
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const callback = await signInThroughBrowser(
        oidc.buildAuthorizationUrl(config, {
          redirect_uri: REDIRECT_URI,
          scope: 'openid',
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
        }),
        seed.email,
        seed.password,
      );
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      expect(tokens.claims()?.aud).toBe(client.clientId);
    }
    // A wrong secret: 401 with the Basic challenge RFC 6749 section 5.2 asks for, and the RFC error body.
    const wrong = await discover(client.clientId, oidc.ClientSecretBasic('x'.repeat(40)));
    const refused = await oidc.refreshTokenGrant(wrong, 'whatever').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    const challenge = refused as oidc.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(challenge.cause[0]!.scheme).toBe('basic');
    expect(await challenge.response.json()).toMatchObject({
      error: 'invalid_client',
      code: 'INVALID_CLIENT',
    });
    const wrongPost = await discover(client.clientId, oidc.ClientSecretPost('x'.repeat(40)));
    await expect(oidc.refreshTokenGrant(wrongPost, 'whatever')).rejects.toMatchObject({
      error: 'invalid_client',
    });
  });
});
