import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  AuthClient,
  createPkcePair,
  FetchLike,
  HeadlessAuthClient,
  MemoryTokenStorage,
  MfaRequiredError,
  TokenResponse,
} from '../libs/sdk/src/index.js';
import { createTestApp, TestApp, TEST_ADMIN_KEY } from './support/test-app.js';
import { loginBody, seedTenant, Seed, unique } from './support/fixtures.js';
import { decodeClaims } from './support/assertions.js';

/** RFC 6238 (SHA-1, 6 digits, 30 s steps) for a base32 secret: the authenticator app of a test user. */
function totpAt(secret: string, step: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase())
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** The SDK of libs/sdk against the real service at t.baseUrl (real HTTP, real database). */
describe('SDK (libs/sdk) against the running service', () => {
  let t: TestApp;
  let seed: Seed;
  let headlessToken: string;

  /** A fetch that records each request's method and path, then sends it for real. */
  function countingFetch(): { fetch: FetchLike; calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      fetch: (url, init) => {
        calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
        return fetch(url, init);
      },
    };
  }
  const rejection = async (promise: Promise<unknown>): Promise<ApiError> => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  };
  const newClient = (extra: Partial<ConstructorParameters<typeof AuthClient>[0]> = {}) =>
    new AuthClient({ baseUrl: t.baseUrl, clientId: seed.client.clientId, ...extra });
  /** A client holding a fresh password session (logged in through raw, as section 2 has it). */
  const loggedIn = async (extra: Partial<ConstructorParameters<typeof AuthClient>[0]> = {}) => {
    const client = newClient(extra);
    const answer = await client.raw.post<TokenResponse>('/auth/login-token', loginBody(seed));
    await client.auth.setTokens(answer);
    return { client, answer };
  };

  beforeAll(async () => {
    t = await createTestApp();
    seed = await seedTenant(t, { user: { ssoId: unique('sso') } });
    const created = await t.http
      .post('/admin/headless-tokens')
      .set('Authorization', `Bearer ${TEST_ADMIN_KEY}`)
      .send({ tenantId: seed.tenant.id, name: 'sdk tests' });
    headlessToken = created.body.token;
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('HeadlessAuthClient (seed 000)', () => {
    const headless = () => new HeadlessAuthClient({ baseUrl: t.baseUrl, headlessToken });
    const tokensShape = () => ({
      access_token: expect.any(String),
      access_token_expires_at: expect.stringMatching(/Z$/),
      refresh_token: expect.any(String),
      refresh_token_expires_at: expect.stringMatching(/Z$/),
      community_member_id: seed.membership.memberId,
      community_id: seed.tenant.communityId,
    });

    it('gets member tokens by community member id, email and SSO id; they work as access tokens', async () => {
      const client = headless();
      for (const tokens of [
        await client.getMemberAPITokenFromCommunityMemberId(seed.membership.memberId),
        await client.getMemberAPITokenFromCommunityMemberId(String(seed.membership.memberId)),
        await client.getMemberAPITokenFromEmail(seed.email),
        await client.getMemberAPITokenFromSSOId(seed.user.ssoId!),
      ]) {
        expect(tokens).toEqual(tokensShape());
        const member = newClient();
        await member.auth.setTokens({
          accessToken: tokens.access_token,
          refreshToken: null,
          expiresAt: null,
          grant: 'token-refresh',
        });
        expect(await member.raw.get('/auth/me')).toMatchObject({
          id: seed.user.id,
          memberId: seed.membership.memberId,
        });
      }
    });

    it('refreshes without rotating, and revokes both kinds of token (then they are refused)', async () => {
      const client = headless();
      const tokens = await client.getMemberAPITokenFromEmail(seed.email);
      const first = await client.getMemberAPITokenFromRefreshToken(tokens.refresh_token);
      expect(first).toEqual({
        access_token: expect.any(String),
        access_token_expires_at: expect.stringMatching(/Z$/),
      });
      const second = await client.getMemberAPITokenFromRefreshToken(tokens.refresh_token);
      expect(decodeClaims(second.access_token).sid).toBe(decodeClaims(tokens.access_token).sid);

      const me = (accessToken: string) =>
        fetch(`${t.baseUrl}/auth/me`, { headers: { Authorization: `Bearer ${accessToken}` } }).then(
          (r) => r.status,
        );
      expect(await client.revokeMemberAPIToken(first.access_token)).toBeNull();
      expect(await me(first.access_token)).toBe(401);
      expect(await me(second.access_token)).toBe(200);
      expect(await client.revokeMemberAPIToken(first.access_token)).toEqual({
        success: false,
        message: expect.any(String),
      });

      expect(await client.revokeRefreshToken(tokens.refresh_token)).toBeNull();
      const refused = await rejection(client.getMemberAPITokenFromRefreshToken(tokens.refresh_token));
      expect(refused).toMatchObject({ statusCode: 401, code: 'INVALID_REFRESH_TOKEN' });
      expect(await me(second.access_token)).toBe(401);
      expect(await me(tokens.access_token)).toBe(401);
      expect(await client.revokeRefreshToken(tokens.refresh_token)).toEqual({
        success: false,
        message: expect.any(String),
      });
    });

    it('rejects with ApiError: unknown member 404, bad headless token 401, service unreachable', async () => {
      const notFound = await rejection(headless().getMemberAPITokenFromEmail('nobody@example.com'));
      expect(notFound).toMatchObject({ statusCode: 404, code: 'NOT_FOUND', message: expect.any(String) });
      expect(notFound.response).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND' });
      const invalid = await rejection(headless().getMemberAPITokenFromCommunityMemberId(-1));
      expect(invalid).toMatchObject({ statusCode: 422, code: 'VALIDATION_FAILED' });
      expect(invalid.response.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'community_member_id' })]),
      );

      const wrong = new HeadlessAuthClient({ baseUrl: t.baseUrl, headlessToken: 'hdls_wrong' });
      expect(await rejection(wrong.getMemberAPITokenFromSSOId('x'))).toMatchObject({
        statusCode: 401,
        code: 'UNAUTHORIZED',
      });
      expect(await wrong.revokeRefreshToken('x')).toEqual({ success: false, message: expect.any(String) });

      const down = new HeadlessAuthClient({ baseUrl: 'http://127.0.0.1:1', headlessToken });
      expect(await rejection(down.getMemberAPITokenFromEmail(seed.email))).toMatchObject({
        statusCode: 0,
        code: 'NETWORK_ERROR',
      });
      expect(() => new HeadlessAuthClient({ baseUrl: '', headlessToken })).toThrow(TypeError);
    });
  });

  describe('AuthClient', () => {
    it('password login, /auth/me and logout through raw', async () => {
      const { client, answer } = await loggedIn();
      expect(answer).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expires: expect.any(Number),
      });
      expect(await client.auth.getTokens()).toEqual({
        accessToken: answer.accessToken,
        refreshToken: answer.refreshToken,
        expiresAt: answer.expires,
        grant: 'token-refresh',
      });
      expect(await client.raw.get('/auth/me')).toMatchObject({ id: seed.user.id, email: seed.email });
      expect(await client.raw.post('/logout', { refreshToken: answer.refreshToken })).toEqual({
        success: true,
      });
      // The session is over: the call fails, the failed renewal forgets the tokens.
      const after = await rejection(client.raw.get('/auth/me'));
      expect(after.statusCode).toBe(401);
      expect(await client.auth.getTokens()).toBeNull();
    });

    it('refresh: rotates the stored pair; the spent refresh token is refused', async () => {
      const { client, answer } = await loggedIn();
      const renewed = await client.auth.refreshTokens();
      expect(renewed.refreshToken).not.toBe(answer.refreshToken);
      expect(renewed.accessToken).not.toBe(answer.accessToken);
      expect(await client.auth.getTokens()).toEqual(renewed);
      expect(await client.raw.get('/auth/me')).toMatchObject({ id: seed.user.id });
      const reused = await rejection(
        newClient().raw.post('/auth/token-refresh', { refreshToken: answer.refreshToken }),
      );
      expect(reused).toMatchObject({ statusCode: 401, code: 'REFRESH_TOKEN_REUSED' });
    });

    it('refreshes an expiring token before the call, once for many parallel calls', async () => {
      const counter = countingFetch();
      const { client, answer } = await loggedIn({ fetch: counter.fetch });
      await client.auth.setTokens({ ...answer, expires: Date.now() - 1000 });
      counter.calls.length = 0;
      const results = await Promise.all(
        Array.from({ length: 6 }, () => client.raw.get<{ id: string }>('/auth/me')),
      );
      expect(results.every((r) => r.id === seed.user.id)).toBe(true);
      expect(counter.calls.filter((c) => c === 'POST /auth/token-refresh')).toHaveLength(1);
      expect(counter.calls.filter((c) => c === 'GET /auth/me')).toHaveLength(6);
      expect((await client.auth.getTokens())!.refreshToken).not.toBe(answer.refreshToken);
    });

    it('after a 401 for the token itself, refreshes once for all parallel calls and retries each once', async () => {
      const counter = countingFetch();
      const { client, answer } = await loggedIn({ fetch: counter.fetch });
      // A token the service refuses (revoked), with an expiry far ahead: only the 401 reveals it.
      const other = await newClient().raw.post<TokenResponse>('/auth/login-token', loginBody(seed));
      const bystander = newClient();
      await bystander.auth.setTokens(other);
      await bystander.raw.post('/logout', { refreshToken: other.refreshToken });
      await client.auth.setTokens({
        accessToken: other.accessToken,
        refreshToken: answer.refreshToken,
        expiresAt: Date.now() + 3_600_000,
        grant: 'token-refresh',
      });
      counter.calls.length = 0;
      const results = await Promise.all(
        Array.from({ length: 5 }, () => client.raw.get<{ id: string }>('/auth/me')),
      );
      expect(results.every((r) => r.id === seed.user.id)).toBe(true);
      expect(counter.calls.filter((c) => c === 'POST /auth/token-refresh')).toHaveLength(1);
      expect(counter.calls.filter((c) => c === 'GET /auth/me')).toHaveLength(10);
    });

    it('does not retry other 401s, and maps every error to ApiError', async () => {
      const counter = countingFetch();
      const { client } = await loggedIn({ fetch: counter.fetch });
      counter.calls.length = 0;
      const wrong = await rejection(
        client.raw.post('/auth/login-token', loginBody(seed, { password: 'Not-The-Password-123' })),
      );
      expect(wrong).not.toBeInstanceOf(MfaRequiredError);
      expect(wrong).toMatchObject({
        name: 'ApiError',
        statusCode: 401,
        code: 'INVALID_CREDENTIALS',
        message: 'Invalid Credentials',
        response: {
          statusCode: 401,
          error: 'Unauthorized',
          code: 'INVALID_CREDENTIALS',
          message: 'Invalid Credentials',
        },
      });
      expect(counter.calls).toEqual(['POST /auth/login-token']);

      const invalid = await rejection(
        client.raw.post('/auth/login-token', { client_id: seed.client.clientId }),
      );
      expect(invalid).toMatchObject({ statusCode: 422, code: 'VALIDATION_FAILED' });
      expect(invalid.response.details!.length).toBeGreaterThan(0);
      const missing = await rejection(client.raw.get('/no/such/route'));
      expect(missing).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
      const down = new AuthClient({ baseUrl: 'http://127.0.0.1:1', clientId: 'x' });
      expect(await rejection(down.raw.get('/health'))).toMatchObject({
        statusCode: 0,
        code: 'NETWORK_ERROR',
      });
      expect(() => new AuthClient({ baseUrl: t.baseUrl, clientId: '' })).toThrow(TypeError);
    });

    it('raw sends query, put, patch and delete; no stored token means no Authorization header', async () => {
      const anonymous = newClient();
      expect(await rejection(anonymous.raw.get('/auth/me'))).toMatchObject({
        statusCode: 401,
        code: 'UNAUTHORIZED',
      });
      expect(await anonymous.raw.get('/health', { query: { probe: 1 } })).toMatchObject({ status: 'ok' });
      const { client } = await loggedIn();
      expect(await rejection(client.raw.put('/auth/me', {}))).toMatchObject({ statusCode: 404 });
      expect(await rejection(client.raw.delete('/auth/me'))).toMatchObject({ statusCode: 404 });
      // PATCH with the stored token: change-password refuses another user's name with 403.
      expect(
        await rejection(
          client.raw.patch('/auth/change-password', {
            refreshToken: 'x'.repeat(43),
            username: 'someone-else@example.com',
            password: 'Brand-New-Password-77',
            oldPassword: seed.password,
          }),
        ),
      ).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    });

    it('throws MfaRequiredError (an ApiError) for a 401 MFA_REQUIRED answer', async () => {
      const strict = await seedTenant(t, { client: { mfaRequired: true } });
      const client = new AuthClient({ baseUrl: t.baseUrl, clientId: strict.client.clientId });
      const err = await rejection(client.raw.post('/auth/login-token', loginBody(strict)));
      expect(err).toBeInstanceOf(MfaRequiredError);
      expect(err).toMatchObject({ name: 'MfaRequiredError', statusCode: 401, code: 'MFA_REQUIRED' });
      expect(err.response).toMatchObject({
        statusCode: 401,
        code: 'MFA_REQUIRED',
        message: expect.any(String),
      });
      expect(await client.auth.getTokens()).toBeNull();
    });

    it('PKCE helpers bind a real /auth/login code; the exchanged tokens can be stored', async () => {
      const pkce = await createPkcePair();
      expect(pkce.codeVerifier).toMatch(/^[\w-]{43}$/);
      expect(pkce.codeChallenge).toBe(createHash('sha256').update(pkce.codeVerifier).digest('base64url'));
      const storage = new MemoryTokenStorage();
      const client = newClient({ storage });
      const { code } = await client.raw.post<{ code: string }>(
        '/auth/login',
        loginBody(seed, { code_challenge: pkce.codeChallenge, code_challenge_method: 'S256' }),
      );
      const wrongVerifier = (await createPkcePair()).codeVerifier;
      expect(
        await rejection(
          client.raw.post('/auth/token', {
            code,
            clientId: seed.client.clientId,
            codeVerifier: wrongVerifier,
          }),
        ),
      ).toMatchObject({ statusCode: 401, code: 'INVALID_CODE' });
      const tokens = await client.raw.post<TokenResponse>('/auth/token', {
        code,
        clientId: seed.client.clientId,
        codeVerifier: pkce.codeVerifier,
      });
      await client.auth.setTokens(tokens);
      expect(storage.get('member')).toMatchObject({
        accessToken: tokens.accessToken,
        grant: 'token-refresh',
      });
      expect(await client.raw.get('/auth/me')).toMatchObject({ id: seed.user.id });
      await client.auth.clearTokens();
      expect(storage.get('member')).toBeNull();
    });
  });
  describe('AuthClient over the routes of sections 7 and 8', () => {
    /** Opens a redirect session's fullUrl (its path on this app) and answers the 302 target. */
    const follow = async (fullUrl: string) => {
      const url = new URL(fullUrl);
      const res = await fetch(`${t.baseUrl}${url.pathname}${url.search}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      return new URL(res.headers.get('location')!);
    };

    it('authenticate (password grant) keeps tokens and renews them through the password grant', async () => {
      const counter = countingFetch();
      const client = newClient({ fetch: counter.fetch });
      const answer = await client.auth.authenticate({ email: seed.email, password: seed.password });
      expect(answer).toEqual({
        id: expect.any(String),
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresAt: expect.any(String),
        userId: seed.user.id,
      });
      expect(await client.auth.getTokens()).toMatchObject({
        accessToken: answer.accessToken,
        grant: 'password-grant',
      });
      expect(await client.raw.get('/auth/me')).toMatchObject({ id: seed.user.id });
      const renewed = await client.auth.refreshTokens();
      expect(renewed.refreshToken).not.toBe(answer.refreshToken);
      expect(counter.calls.filter((c) => c === 'POST /auth/v2/oauth1/tokens')).toHaveLength(2);
      const wrong = await rejection(
        client.auth.authenticate({ email: seed.email, password: 'Not-The-Password-1' }),
      );
      expect(wrong).toMatchObject({ statusCode: 401, code: 'INVALID_CREDENTIALS' });
    });

    it('authenticate throws MfaRequiredError with response.mfa; confirmMfa completes it', async () => {
      const user = await seedTenant(t);
      const first = newClient({ baseUrl: t.baseUrl, clientId: user.client.clientId });
      await first.auth.authenticate({ email: user.email, password: user.password });
      const setup = await first.raw.post<{ methodId: string; secret: string }>('/auth/v2/mfa/methods/totp', {
        password: user.password,
      });
      const step = Math.floor(Date.now() / 30_000);
      await first.raw.post(`/auth/v2/mfa/methods/${setup.methodId}/confirm`, {
        code: totpAt(setup.secret, step),
      });

      const client = new AuthClient({ baseUrl: t.baseUrl, clientId: user.client.clientId });
      const err = await rejection(client.auth.authenticate({ email: user.email, password: user.password }));
      expect(err).toBeInstanceOf(MfaRequiredError);
      const { mfa } = (err as MfaRequiredError).response;
      expect(mfa).toEqual({
        token: expect.any(String),
        methods: expect.arrayContaining([expect.objectContaining({ id: expect.any(String), type: 'totp' })]),
      });
      expect(await client.auth.getTokens()).toBeNull();
      const methodId = mfa!.methods.find((m) => m.type === 'totp')!.id;
      const valid = [-1, 0, 1, 2].map((d) => totpAt(setup.secret, step + d));
      const bad = ['000000', '111111', '222222'].find((c) => !valid.includes(c))!;
      const wrongCode = await rejection(client.auth.confirmMfa({ token: mfa!.token, methodId, code: bad }));
      expect(wrongCode).toMatchObject({ statusCode: 401, code: 'INVALID_MFA_CODE' });
      // The step after the one used to confirm the method (each step works once per user).
      const done = await client.auth.confirmMfa({
        token: mfa!.token,
        methodId,
        code: totpAt(setup.secret, step + 1),
      });
      expect(done.userId).toBe(user.user.id);
      expect(await client.raw.get('/auth/me')).toMatchObject({ id: user.user.id, mfaEnabled: true });
    });

    it('visitor tokens, register, login, verify, a redirect session with PKCE, exchangeCode, logout', async () => {
      const app = await seedTenant(t, { client: { public: true, requireEmailVerification: false } });
      const counter = countingFetch();
      const client = new AuthClient({
        baseUrl: t.baseUrl,
        clientId: app.client.clientId,
        fetch: counter.fetch,
      });

      const visitor = await client.auth.generateVisitorTokens();
      expect(visitor).toMatchObject({ accessToken: expect.any(String), grant: 'oauth2' });
      expect(decodeClaims(visitor.accessToken).typ).toBe('visitor');

      const email = `${unique('sdk')}@example.com`;
      const registered = await client.auth.register({
        email,
        password: 'Quiet-Meadow-Compass-58',
        profile: { nickname: 'ada' },
      });
      expect(registered).toMatchObject({
        state: 'SUCCESS',
        sessionToken: expect.any(String),
        identity: { email },
      });
      const loggedIn = await client.auth.login({ email, password: 'Quiet-Meadow-Compass-58' });
      expect(loggedIn.state).toBe('SUCCESS');
      expect(
        await rejection(client.auth.login({ email, password: 'Wrong-Password-Entirely-1' })),
      ).toMatchObject({ statusCode: 401, code: 'INVALID_CREDENTIALS' });
      expect(
        await rejection(client.auth.verify({ code: '123456', stateToken: 'x'.repeat(43) })),
      ).toMatchObject({
        statusCode: 401,
      });
      // One visitor token served every call above.
      expect(counter.calls.filter((c) => c === 'POST /oauth2/token')).toHaveLength(1);

      const { codeVerifier, codeChallenge } = await client.auth.generatePkce();
      const { redirectSession } = await client.auth.createRedirectSession({
        codeChallenge,
        responseMode: 'query',
        state: 'sdk-state',
        redirectUri: 'https://app.example.com/callback',
        sessionToken: loggedIn.sessionToken,
      });
      const back = await follow(redirectSession.fullUrl);
      expect(back.searchParams.get('state')).toBe('sdk-state');
      const tokens = await client.auth.exchangeCode({ code: back.searchParams.get('code')!, codeVerifier });
      expect(tokens).toMatchObject({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'Bearer',
      });
      expect(await client.auth.getTokens()).toMatchObject({
        accessToken: tokens.access_token,
        grant: 'oauth2',
      });
      const me = await client.raw.get<{ email: string }>('/auth/me');
      expect(me.email).toBe(email);
      const renewed = await client.auth.refreshTokens();
      expect(renewed.refreshToken).not.toBe(tokens.refresh_token);

      expect(
        await client.auth.sendRecoveryEmail(email, {
          url: 'https://app.example.com/callback',
          clientId: app.client.clientId,
        }),
      ).toEqual({});

      const logoutUrl = await client.auth.logout('https://app.example.com/callback');
      expect(await client.auth.getTokens()).toBeNull();
      expect((await follow(logoutUrl)).href).toBe('https://app.example.com/callback');
      const after = await fetch(`${t.baseUrl}/auth/me`, {
        headers: { Authorization: `Bearer ${renewed.accessToken}` },
      });
      expect(after.status).toBe(401);
    });
  });
});
