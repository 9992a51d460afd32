import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthClient } from './auth-client.js';
import { ApiError } from './errors.js';

/** The passkey methods of AuthClient without a browser: a fake WebAuthn API and a fake service. */
describe('AuthClient passkeys (browser WebAuthn JSON API)', () => {
  const g = globalThis as Record<string, unknown>;
  const saved = { PublicKeyCredential: g.PublicKeyCredential, navigator: g.navigator };
  afterEach(() => {
    Object.defineProperty(g, 'PublicKeyCredential', {
      value: saved.PublicKeyCredential,
      configurable: true,
      writable: true,
    });
    Object.defineProperty(g, 'navigator', { value: saved.navigator, configurable: true, writable: true });
  });

  function fakeBrowser() {
    const parsed: unknown[] = [];
    Object.defineProperty(g, 'PublicKeyCredential', {
      configurable: true,
      writable: true,
      value: {
        parseCreationOptionsFromJSON: (o: unknown) => (parsed.push(o), { parsedCreation: o }),
        parseRequestOptionsFromJSON: (o: unknown) => (parsed.push(o), { parsedRequest: o }),
      },
    });
    Object.defineProperty(g, 'navigator', {
      configurable: true,
      writable: true,
      value: {
        credentials: {
          create: async (o: unknown) => ({ toJSON: () => ({ made: o }) }),
          get: async (o: unknown) => ({ toJSON: () => ({ asserted: o }) }),
        },
      },
    });
    return parsed;
  }

  function fakeService(answers: Record<string, unknown>) {
    const calls: { path: string; auth: string | null; body: unknown }[] = [];
    const fetch = async (input: string, init?: RequestInit) => {
      const path = new URL(input).pathname;
      const headers = new Headers(init?.headers);
      calls.push({
        path,
        auth: headers.get('authorization'),
        body: init?.body ? JSON.parse(String(init.body)) : null,
      });
      const body = answers[path];
      return new Response(JSON.stringify(body ?? { statusCode: 404, code: 'NOT_FOUND', message: 'no' }), {
        status: body ? 200 : 404,
        headers: { 'content-type': 'application/json' },
      });
    };
    return { calls, fetch };
  }

  it('registerPasskey: options -> parseCreationOptionsFromJSON -> create -> toJSON, with the member token', async () => {
    const parsed = fakeBrowser();
    const service = fakeService({
      '/auth/v2/mfa/methods/passkey/options': { stateToken: 's1', options: { challenge: 'c' } },
      '/auth/v2/mfa/methods/passkey': { methodId: 'm1', type: 'passkey', name: 'Key' },
    });
    const client = new AuthClient({ baseUrl: 'https://auth.test', clientId: 'app', fetch: service.fetch });
    await client.auth.setTokens({
      accessToken: 'member-at',
      refreshToken: null,
      expiresAt: null,
      grant: 'oauth2',
    });
    expect(await client.auth.registerPasskey({ name: 'Key' })).toEqual({
      methodId: 'm1',
      type: 'passkey',
      name: 'Key',
    });
    expect(parsed).toEqual([{ challenge: 'c' }]);
    expect(service.calls).toEqual([
      { path: '/auth/v2/mfa/methods/passkey/options', auth: 'Bearer member-at', body: { name: 'Key' } },
      {
        path: '/auth/v2/mfa/methods/passkey',
        auth: 'Bearer member-at',
        body: {
          stateToken: 's1',
          credential: { made: { publicKey: { parsedCreation: { challenge: 'c' } } } },
        },
      },
    ]);
  });

  it('registerPasskey without member tokens rejects with ApiError 401 and calls nothing', async () => {
    fakeBrowser();
    const service = fakeService({});
    const client = new AuthClient({ baseUrl: 'https://auth.test', clientId: 'app', fetch: service.fetch });
    const err = await client.auth.registerPasskey().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).statusCode).toBe(401);
    expect(service.calls).toEqual([]);
  });

  it('signInWithPasskey gets its own visitor token and sends the email only when given', async () => {
    fakeBrowser();
    const service = fakeService({
      '/oauth2/token': {
        access_token: 'visitor-at',
        refresh_token: 'r',
        expires_in: 3600,
        token_type: 'Bearer',
      },
      '/auth/v2/login/passkey/options': { stateToken: 's2', options: { challenge: 'd' } },
      '/auth/v2/login/passkey': {
        state: 'SUCCESS',
        sessionToken: 'st',
        stateToken: null,
        identity: { id: 'u' },
      },
    });
    const client = new AuthClient({ baseUrl: 'https://auth.test', clientId: 'app', fetch: service.fetch });
    expect((await client.auth.signInWithPasskey()).state).toBe('SUCCESS');
    expect(service.calls.map((c) => [c.path, c.auth])).toEqual([
      ['/oauth2/token', null],
      ['/auth/v2/login/passkey/options', 'Bearer visitor-at'],
      ['/auth/v2/login/passkey', 'Bearer visitor-at'],
    ]);
    expect(service.calls[1]!.body).toEqual({});
    await client.auth.signInWithPasskey({ email: 'ada@example.com' });
    expect(service.calls[3]!.body).toEqual({ loginId: { email: 'ada@example.com' } });
  });

  it('rejects with a TypeError where there is no WebAuthn (e.g. Node)', async () => {
    Object.defineProperty(g, 'PublicKeyCredential', { value: undefined, configurable: true, writable: true });
    const client = new AuthClient({
      baseUrl: 'https://auth.test',
      clientId: 'app',
      fetch: fakeService({}).fetch,
    });
    await expect(client.auth.signInWithPasskey()).rejects.toBeInstanceOf(TypeError);
  });

  it('imports no Node-only module', () => {
    const source = readFileSync(new URL('./passkeys.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/from ['"](node:|crypto|buffer|fs|http)/);
  });
});
