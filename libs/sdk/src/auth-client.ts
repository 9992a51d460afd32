import { ApiError } from './errors.js';
import { FetchLike, HttpMethod, QueryValue, request, resolveFetch } from './http.js';
import type {
  ConfirmMfaParams,
  ExchangeCodeParams,
  LoginParams,
  LoginStateResponse,
  OAuthTokenResponse,
  PasskeyMethod,
  PasskeyMfaParams,
  PasswordCredentials,
  PasswordGrantResponse,
  RecoveryRedirect,
  RedirectSessionParams,
  RedirectSessionResponse,
  RegisterParams,
  RegisterPasskeyParams,
  SignInWithPasskeyParams,
  TokenResponse,
  VerifyParams,
} from './models.js';
import * as passkeys from './passkeys.js';
import { createPkcePair, PkcePair } from './pkce.js';
import { MemoryTokenStorage, RefreshGrant, TokenRole, Tokens, TokenStorage } from './storage.js';

export interface AuthClientOptions {
  /** The service's base URL, e.g. `https://auth.example.com`. */
  baseUrl: string;
  /** Your app's client id (`clientId` of `POST /admin/clients`). */
  clientId: string;
  /** Where tokens are kept (default: memory). */
  storage?: TokenStorage;
  /** A fetch implementation (default: the global fetch). */
  fetch?: FetchLike;
  /** Refresh this long before the access token expires (default 30 s). */
  refreshMarginMs?: number;
}

/** Any token answer of the service, or a stored pair; `setTokens` recognises each. */
export type TokenInput = Tokens | TokenResponse | PasswordGrantResponse | OAuthTokenResponse;

export interface RawOptions {
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
}

/**
 * `raw.*`: any route, with the stored access token (the member's, else the visitor's), refreshed
 * like every call. Resolves to the parsed JSON body (undefined for an empty answer such as 204).
 */
export interface RawApi {
  get<T = unknown>(path: string, options?: RawOptions): Promise<T>;
  post<T = unknown>(path: string, body?: unknown, options?: RawOptions): Promise<T>;
  put<T = unknown>(path: string, body?: unknown, options?: RawOptions): Promise<T>;
  /** Not in API.md's list; the service has PATCH routes (change-password, members/me). */
  patch<T = unknown>(path: string, body?: unknown, options?: RawOptions): Promise<T>;
  delete<T = unknown>(path: string, body?: unknown, options?: RawOptions): Promise<T>;
}

/** Normalises every token answer to the stored form. */
export function toTokens(input: TokenInput): Tokens {
  if ('grant' in input) return { ...input };
  if ('access_token' in input) {
    return {
      accessToken: input.access_token,
      refreshToken: input.refresh_token ?? null,
      expiresAt: typeof input.expires_in === 'number' ? Date.now() + input.expires_in * 1000 : null,
      grant: 'oauth2',
    };
  }
  if ('expiresAt' in input) {
    const at = typeof input.expiresAt === 'number' ? input.expiresAt : Date.parse(input.expiresAt);
    return {
      accessToken: input.accessToken,
      refreshToken: input.refreshToken ?? null,
      expiresAt: Number.isFinite(at) ? at : null,
      grant: 'password-grant',
    };
  }
  return {
    accessToken: input.accessToken,
    refreshToken: input.refreshToken ?? null,
    expiresAt: typeof input.expires === 'number' ? input.expires : null,
    grant: 'token-refresh',
  };
}

/** Only these 401s mean "the Bearer token is no good": worth one refresh and one retry. */
const RETRY_CODES = new Set(['UNAUTHORIZED', 'INVALID_TOKEN']);

/**
 * The client of browsers, apps and servers (API.md section 11; seeds 001 and 002): the password
 * grant with MFA, the headless login flow with redirect sessions and PKCE, visitor tokens, and any
 * other route through `raw`. Tokens are kept in `storage` and refreshed automatically: shortly
 * before they expire, and once after a 401; parallel calls share one refresh (single-flight).
 */
export class AuthClient {
  readonly clientId: string;
  readonly auth: AuthApi;
  readonly raw: RawApi;

  constructor(options: AuthClientOptions) {
    if (!options?.baseUrl) throw new TypeError('baseUrl is required');
    if (!options.clientId) throw new TypeError('clientId is required');
    const core = new ClientCore(options);
    this.clientId = options.clientId;
    this.auth = new AuthApi(core);
    const raw = (method: HttpMethod, path: string, body?: unknown, options?: RawOptions) =>
      core.call(() => core.currentRole(), { method, path, body, ...options });
    this.raw = {
      get: <T>(path: string, options?: RawOptions) => raw('GET', path, undefined, options) as Promise<T>,
      post: <T>(path: string, body?: unknown, options?: RawOptions) =>
        raw('POST', path, body, options) as Promise<T>,
      put: <T>(path: string, body?: unknown, options?: RawOptions) =>
        raw('PUT', path, body, options) as Promise<T>,
      patch: <T>(path: string, body?: unknown, options?: RawOptions) =>
        raw('PATCH', path, body, options) as Promise<T>,
      delete: <T>(path: string, body?: unknown, options?: RawOptions) =>
        raw('DELETE', path, body, options) as Promise<T>,
    };
  }
}

/**
 * The plumbing behind AuthClient: requests, stored tokens, refresh. Exported for declaration files
 * only; the package index does not export it.
 */
export class ClientCore {
  readonly clientId: string;
  private readonly baseUrl: string;
  private readonly fetchFn: FetchLike;
  private readonly storage: TokenStorage;
  private readonly marginMs: number;
  private readonly refreshing = new Map<TokenRole, Promise<Tokens>>();
  private visitorPending: Promise<Tokens> | undefined;

  constructor(options: AuthClientOptions) {
    this.baseUrl = options.baseUrl;
    this.clientId = options.clientId;
    this.fetchFn = resolveFetch(options.fetch);
    this.storage = options.storage ?? new MemoryTokenStorage();
    this.marginMs = options.refreshMarginMs ?? 30_000;
  }

  /** An unauthenticated request. */
  send<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    return request<T>(this.fetchFn, this.baseUrl, { method, path, body });
  }

  /** */
  async getTokens(role: TokenRole): Promise<Tokens | null> {
    return (await this.storage.get(role)) ?? null;
  }

  /** */
  async setTokens(role: TokenRole, tokens: Tokens | null): Promise<void> {
    await this.storage.set(role, tokens);
  }

  /** Which tokens `raw` sends: the member's when stored, else a stored visitor's. */
  async currentRole(): Promise<TokenRole | null> {
    if (await this.getTokens('member')) return 'member';
    if (await this.getTokens('visitor')) return 'visitor';
    return null;
  }

  /**
   * A request with the Bearer token of `role` (a getter, for raw): refreshed first when it
   * is about to expire; after a 401 for the token itself, refreshed once (shared) and retried once.
   * `role` 'visitor' gets visitor tokens first when none are stored.
   */
  async call<T>(
    role: TokenRole | null | (() => Promise<TokenRole | null>),
    req: { method: HttpMethod; path: string; body?: unknown } & RawOptions,
  ): Promise<T> {
    const who = typeof role === 'function' ? await role() : role;
    if (!who) return request<T>(this.fetchFn, this.baseUrl, req);
    const tokens = await this.usableTokens(who);
    try {
      return await request<T>(this.fetchFn, this.baseUrl, { ...req, bearer: tokens?.accessToken });
    } catch (err) {
      if (!(err instanceof ApiError) || err.statusCode !== 401 || !RETRY_CODES.has(err.code) || !tokens) {
        throw err;
      }
      const renewed = await this.renewAfter401(who, tokens);
      if (!renewed) throw err;
      return request<T>(this.fetchFn, this.baseUrl, { ...req, bearer: renewed.accessToken });
    }
  }

  /** The stored tokens of `role`, refreshed when they expire within the margin. */
  private async usableTokens(role: TokenRole): Promise<Tokens | null> {
    let tokens = await this.getTokens(role);
    if (!tokens && role === 'visitor') tokens = await this.visitorTokens();
    if (tokens?.refreshToken && tokens.expiresAt !== null && tokens.expiresAt - this.marginMs <= Date.now()) {
      tokens = await this.refresh(role);
    }
    return tokens;
  }

  /** After a 401: another call may have refreshed already; otherwise refresh (shared). */
  private async renewAfter401(role: TokenRole, used: Tokens): Promise<Tokens | null> {
    const current = await this.getTokens(role);
    if (current && current.accessToken !== used.accessToken) return current;
    if (!current?.refreshToken) {
      if (role === 'visitor') return this.visitorTokens(true);
      return null;
    }
    return this.refresh(role);
  }

  /** Visitor tokens (single-flight), stored. */
  visitorTokens(force = false): Promise<Tokens> {
    if (!force && this.visitorPending) return this.visitorPending;
    const pending = this.send<OAuthTokenResponse>('POST', '/oauth2/token', {
      clientId: this.clientId,
      grantType: 'anonymous',
    })
      .then(async (answer) => {
        const tokens = toTokens(answer);
        await this.setTokens('visitor', tokens);
        return tokens;
      })
      .finally(() => {
        if (this.visitorPending === pending) this.visitorPending = undefined;
      });
    this.visitorPending = pending;
    return pending;
  }

  /**
   * Renews the stored pair of `role` through the route it came from. Parallel callers share
   * one request. A refused refresh clears the stored pair and rejects with the service's error.
   */
  refresh(role: TokenRole): Promise<Tokens> {
    const inFlight = this.refreshing.get(role);
    if (inFlight) return inFlight;
    const pending = (async () => {
      const stored = await this.getTokens(role);
      if (!stored?.refreshToken) throw new ApiError(401, 'NO_REFRESH_TOKEN', 'No refresh token is stored');
      try {
        const renewed = await this.renew(stored.grant, stored.refreshToken);
        await this.setTokens(role, renewed);
        return renewed;
      } catch (err) {
        if (err instanceof ApiError && err.statusCode >= 400 && err.statusCode < 500) {
          await this.setTokens(role, null);
        }
        throw err;
      }
    })().finally(() => this.refreshing.delete(role));
    this.refreshing.set(role, pending);
    return pending;
  }

  private async renew(grant: RefreshGrant, refreshToken: string): Promise<Tokens> {
    switch (grant) {
      case 'token-refresh':
        return toTokens(await this.send<TokenResponse>('POST', '/auth/token-refresh', { refreshToken }));
      case 'password-grant':
        return toTokens(
          await this.send<PasswordGrantResponse>('POST', '/auth/v2/oauth1/tokens', { refreshToken }),
        );
      case 'oauth2':
        return toTokens(
          await this.send<OAuthTokenResponse>('POST', '/oauth2/token', {
            clientId: this.clientId,
            grantType: 'refresh_token',
            refreshToken,
          }),
        );
    }
  }
}

/** `client.auth`: the login flows of API.md sections 7 and 8, and the stored tokens. */
export class AuthApi {
  /** @internal Created by AuthClient. */
  constructor(private readonly client: ClientCore) {}

  // ---- password grant with MFA (section 8, seed 001) --------------------------------------------

  /**
   * The password grant. Resolves to its answer and keeps the tokens. When the user has MFA on it
   * rejects with `MfaRequiredError`: answer `error.response.mfa` with `confirmMfa`.
   */
  async authenticate(credentials: PasswordCredentials): Promise<PasswordGrantResponse> {
    const answer = await this.client.send<PasswordGrantResponse>('POST', '/auth/v2/oauth1/tokens', {
      email: credentials.email,
      password: credentials.password,
      clientId: this.client.clientId,
    });
    await this.client.setTokens('member', toTokens(answer));
    return answer;
  }

  /** Completes the password grant with a code of one of the challenge's methods; keeps the tokens. */
  async confirmMfa(params: ConfirmMfaParams): Promise<PasswordGrantResponse> {
    const answer = await this.client.send<PasswordGrantResponse>('POST', '/auth/v2/oauth1/tokens/mfa', {
      token: params.token,
      methodId: params.methodId,
      code: params.code,
    });
    await this.client.setTokens('member', toTokens(answer));
    return answer;
  }

  /** The MFA challenge answered with a passkey method (browser WebAuthn); keeps the tokens. */
  async confirmMfaWithPasskey(params: PasskeyMfaParams): Promise<PasswordGrantResponse> {
    const answer = await passkeys.confirmMfaWithPasskey(this.client, params);
    await this.client.setTokens('member', toTokens(answer));
    return answer;
  }

  // ---- passkeys (section 13): the browser's WebAuthn API, see passkeys.ts ------------------------

  /** Creates and registers a passkey of the member of the stored tokens (MFA is on from then). */
  registerPasskey(params?: RegisterPasskeyParams): Promise<PasskeyMethod> {
    return passkeys.registerPasskey(this.client, params);
  }

  /** Signs in with a passkey (own visitor token); resolves to the /auth/v2/login answer. */
  signInWithPasskey(params?: SignInWithPasskeyParams): Promise<LoginStateResponse> {
    return passkeys.signInWithPasskey(this.client, params);
  }

  // ---- headless login (section 7, seed 002) -----------------------------------------------------

  /** Register V2 (with a visitor token, fetched when none is stored). */
  register(params: RegisterParams): Promise<LoginStateResponse> {
    const body: Record<string, unknown> = { loginId: { email: params.email }, password: params.password };
    if (params.profile !== undefined) body.profile = params.profile;
    if (params.captchaToken !== undefined) body.captchaToken = params.captchaToken;
    return this.client.call('visitor', { method: 'POST', path: '/auth/v2/register', body });
  }

  /** Login V2 (with a visitor token). */
  login(params: LoginParams): Promise<LoginStateResponse> {
    const body: Record<string, unknown> = { loginId: { email: params.email }, password: params.password };
    if (params.captchaToken !== undefined) body.captchaToken = params.captchaToken;
    return this.client.call('visitor', { method: 'POST', path: '/auth/v2/login', body });
  }

  /** Sends the emailed verification code of a `REQUIRE_EMAIL_VERIFICATION` state. */
  verify(params: VerifyParams): Promise<LoginStateResponse> {
    return this.client.call('visitor', {
      method: 'POST',
      path: '/auth/v2/verify',
      body: { code: params.code, stateToken: params.stateToken },
    });
  }

  /** A fresh PKCE verifier and S256 challenge (keep the verifier for `exchangeCode`). */
  generatePkce(): Promise<PkcePair> {
    return createPkcePair();
  }

  /**
   * A redirect session for the authorization step: open `redirectSession.fullUrl` (an iframe for
   * `web_message`, a redirect for `query` / `fragment`) to get `{code, state}`.
   */
  createRedirectSession(params: RedirectSessionParams): Promise<RedirectSessionResponse> {
    const auth = {
      clientId: this.client.clientId,
      codeChallengeMethod: 'S256',
      responseType: 'code',
      scope: 'offline_access',
      ...params,
    };
    return this.client.call('visitor', {
      method: 'POST',
      path: '/auth/v2/redirect-sessions',
      body: { auth },
    });
  }

  /** Exchanges the authorization code (with its PKCE verifier) for member tokens, and keeps them. */
  async exchangeCode(params: ExchangeCodeParams): Promise<OAuthTokenResponse> {
    const body: Record<string, unknown> = {
      clientId: this.client.clientId,
      grantType: 'authorization_code',
      code: params.code,
      codeVerifier: params.codeVerifier,
    };
    if (params.redirectUri !== undefined) body.redirectUri = params.redirectUri;
    const answer = await this.client.send<OAuthTokenResponse>('POST', '/oauth2/token', body);
    await this.client.setTokens('member', toTokens(answer));
    return answer;
  }

  /** Anonymous visitor tokens for this client; kept and renewed like member tokens. */
  async generateVisitorTokens(): Promise<Tokens> {
    return this.client.visitorTokens(true);
  }

  /** Mails a password-recovery link; resolves the same whether or not the email is known. */
  sendRecoveryEmail(email: string, redirect: RecoveryRedirect): Promise<Record<string, never>> {
    return this.client.call('visitor', {
      method: 'POST',
      path: '/auth/v2/recovery/send-email',
      body: { email, redirect: { url: redirect.url, clientId: redirect.clientId } },
    });
  }

  /**
   * Answers the logout `fullUrl` (send the browser there: the session ends and it lands on
   * `postFlowUrl`, which must be registered) and forgets the member tokens kept here.
   */
  async logout(postFlowUrl: string): Promise<string> {
    const answer = await this.client.call<RedirectSessionResponse>('member', {
      method: 'POST',
      path: '/auth/v2/redirect-sessions',
      body: { logout: { clientId: this.client.clientId, postFlowUrl } },
    });
    await this.client.setTokens('member', null);
    return answer.redirectSession.fullUrl;
  }

  // ---- stored tokens -----------------------------------------------------------------------------

  /** The stored tokens of the member (default) or visitor, or null. */
  getTokens(role: TokenRole = 'member'): Promise<Tokens | null> {
    return this.client.getTokens(role);
  }

  /**
   * Stores tokens obtained elsewhere (e.g. `raw.post('/auth/login-token', ...)`): any token answer of
   * the service, which also says how to renew them.
   */
  async setTokens(tokens: TokenInput, role: TokenRole = 'member'): Promise<Tokens> {
    const stored = toTokens(tokens);
    await this.client.setTokens(role, stored);
    return stored;
  }

  /** Forgets the stored tokens (both roles when none is given). Ends no session on the service. */
  async clearTokens(role?: TokenRole): Promise<void> {
    for (const r of role ? [role] : (['member', 'visitor'] as const)) await this.client.setTokens(r, null);
  }

  /** Renews the stored tokens now (parallel calls share one refresh). */
  refreshTokens(role: TokenRole = 'member'): Promise<Tokens> {
    return this.client.refresh(role);
  }
}
