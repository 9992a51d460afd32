// Single-use credentials for the load: every request presents a refresh token or an auth code
// that nobody has presented before, so each one really rotates or spends it.
import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'autocannon';
import type pg from 'pg';
import { cloneAuthCodes } from './database.js';
import { parseJson, stringField } from './http.js';
import { BenchError } from './settings.js';

export interface PoolStats {
  ok: number;
  errors: number;
  /** Requests sent with a made-up credential because the pool was empty (they fail). */
  poolExhausted: number;
  errorCodes: Record<string, number>;
}

const newStats = (): PoolStats => ({ ok: 0, errors: 0, poolExhausted: 0, errorCodes: {} });

function countError(stats: PoolStats, status: number, body: string): void {
  stats.errors++;
  const key = `${status} ${stringField(parseJson(body), 'code') ?? ''}`.trim();
  stats.errorCodes[key] = (stats.errorCodes[key] ?? 0) + 1;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Refresh tokens: each request takes a token nobody has presented yet; each 200 puts its NEW
 * refresh token back. Every request rotates, the pool needs only a few tokens per connection, and
 * no token is sent twice (checked). Shared by the autocannons of both instances.
 */
export class RefreshPool {
  readonly tokens: string[] = [];
  private readonly presented = new Set<string>();
  private presentedTwice = 0;
  private reuseDetected = 0;
  private stats = newStats();

  reset(): void {
    this.stats = newStats();
    this.reuseDetected = 0;
  }

  summary() {
    return {
      ...this.stats,
      errorCodes: { ...this.stats.errorCodes },
      reuseDetected: this.reuseDetected,
      presentedTwice: this.presentedTwice,
      distinctTokensPresented: this.presented.size,
    };
  }

  readonly request: Request = {
    method: 'POST',
    path: '/auth/token-refresh',
    headers: { 'Content-Type': 'application/json' },
    setupRequest: (req) => {
      let token = this.tokens.shift();
      if (token === undefined) {
        // autocannon cannot skip a request: send one that must fail, and count it.
        this.stats.poolExhausted++;
        token = `pool-exhausted-${this.stats.poolExhausted}`;
      } else {
        if (this.presented.has(token)) this.presentedTwice++;
        this.presented.add(token);
      }
      return { ...req, body: JSON.stringify({ refreshToken: token }) };
    },
    onResponse: (status, body) => {
      const next = status === 200 ? stringField(parseJson(body), 'refreshToken') : undefined;
      if (next !== undefined) {
        this.stats.ok++;
        this.tokens.push(next);
        return;
      }
      if (stringField(parseJson(body), 'code') === 'REFRESH_TOKEN_REUSED') this.reuseDetected++;
      countError(this.stats, status, body);
    },
  };
}

export interface CodeTemplate {
  code: string;
  verifier: string;
}

/**
 * Authorization codes for POST /oauth2/token, each presented once. The templates are real codes
 * of POST /auth/login with a PKCE S256 challenge; the pool clones their rows in SQL under new
 * random codes as codes of /oauth2/authorize (see cloneAuthCodes), because minting thousands of
 * codes through a login costs an argon2id hash each. The measured exchange is the service's own:
 * client authentication, look-up by hash, PKCE check, spend, session and tokens.
 */
export class CodePool {
  private readonly codes: CodeTemplate[] = [];
  private nextTemplate = 0;
  private stats = newStats();

  constructor(
    private readonly client: { clientId: string; clientSecret: string },
    private readonly db: pg.Client,
    private readonly templates: CodeTemplate[],
  ) {
    if (templates.length === 0) throw new BenchError('the code pool needs at least one template');
  }

  reset(): void {
    this.stats = newStats();
  }

  summary(): PoolStats {
    return { ...this.stats, errorCodes: { ...this.stats.errorCodes } };
  }

  take(): CodeTemplate | undefined {
    return this.codes.shift();
  }

  /** Clones codes until the pool holds `count`. */
  async topUp(count: number): Promise<void> {
    let missing = count - this.codes.length;
    while (missing > 0) {
      const batch = Math.min(5000, missing);
      const template = this.templates[this.nextTemplate++ % this.templates.length]!;
      const fresh = Array.from({ length: batch }, () => randomBytes(32).toString('base64url'));
      await cloneAuthCodes(this.db, sha256(template.code), fresh.map(sha256));
      this.codes.push(...fresh.map((code) => ({ code, verifier: template.verifier })));
      missing -= batch;
    }
  }

  body(item: CodeTemplate): Record<string, string> {
    return {
      clientId: this.client.clientId,
      clientSecret: this.client.clientSecret,
      grantType: 'authorization_code',
      code: item.code,
      codeVerifier: item.verifier,
    };
  }

  readonly request: Request = {
    method: 'POST',
    path: '/oauth2/token',
    headers: { 'Content-Type': 'application/json' },
    setupRequest: (req) => {
      let item = this.codes.shift();
      if (item === undefined) {
        this.stats.poolExhausted++;
        item = { code: `pool-exhausted-${this.stats.poolExhausted}`, verifier: 'x'.repeat(43) };
      }
      return { ...req, body: JSON.stringify(this.body(item)) };
    },
    onResponse: (status, body) => {
      if (status === 200) this.stats.ok++;
      else countError(this.stats, status, body);
    },
  };
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url') };
}
