/** Whose tokens: the logged-in member's, or an anonymous visitor's (API.md section 7). */
export type TokenRole = 'member' | 'visitor';

/** Which route renews a token pair (where it came from). */
export type RefreshGrant =
  /** `POST /auth/token-refresh` (tokens of API.md section 2: `/auth/login-token`, `/auth/token`). */
  | 'token-refresh'
  /** `POST /auth/v2/oauth1/tokens` with `{refreshToken}` (the password grant of section 8). */
  | 'password-grant'
  /** `POST /oauth2/token` with `grantType: "refresh_token"` (section 7: code exchange, visitors). */
  | 'oauth2';

/** A stored token pair. */
export interface Tokens {
  accessToken: string;
  refreshToken: string | null;
  /** Access-token expiry, epoch milliseconds; null when unknown (then refreshed only after a 401). */
  expiresAt: number | null;
  grant: RefreshGrant;
}

/**
 * Where a client keeps its tokens. Synchronous or asynchronous; the default keeps them in memory.
 * Implement it over a cookie, IndexedDB, a server-side session, ... to keep tokens across reloads.
 */
export interface TokenStorage {
  get(role: TokenRole): Tokens | null | Promise<Tokens | null>;
  set(role: TokenRole, tokens: Tokens | null): void | Promise<void>;
}

/** The default: tokens live as long as the client object. */
export class MemoryTokenStorage implements TokenStorage {
  private readonly tokens = new Map<TokenRole, Tokens>();

  get(role: TokenRole): Tokens | null {
    return this.tokens.get(role) ?? null;
  }

  set(role: TokenRole, tokens: Tokens | null): void {
    if (tokens) this.tokens.set(role, { ...tokens });
    else this.tokens.delete(role);
  }
}

/** The subset of the Web Storage API the adapter below needs (`localStorage`, `sessionStorage`). */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Tokens in `localStorage` / `sessionStorage` (`new WebStorageTokenStorage(sessionStorage)`), as JSON
 * under `<prefix>:<role>`. Anything a page's scripts can read, an XSS can read too: prefer memory
 * or an httpOnly cookie set by your own backend for long-lived refresh tokens.
 */
export class WebStorageTokenStorage implements TokenStorage {
  constructor(
    private readonly storage: WebStorageLike,
    private readonly prefix = 'auth-bff',
  ) {}

  get(role: TokenRole): Tokens | null {
    const raw = this.storage.getItem(`${this.prefix}:${role}`);
    if (!raw) return null;
    try {
      const t = JSON.parse(raw) as Partial<Tokens>;
      return typeof t.accessToken === 'string' && typeof t.grant === 'string'
        ? {
            accessToken: t.accessToken,
            refreshToken: typeof t.refreshToken === 'string' ? t.refreshToken : null,
            expiresAt: typeof t.expiresAt === 'number' ? t.expiresAt : null,
            grant: t.grant,
          }
        : null;
    } catch {
      return null;
    }
  }

  set(role: TokenRole, tokens: Tokens | null): void {
    const key = `${this.prefix}:${role}`;
    if (tokens) this.storage.setItem(key, JSON.stringify(tokens));
    else this.storage.removeItem(key);
  }
}
