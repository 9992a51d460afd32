import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { describeWait, Errors } from '../errors/app-error.js';
import { RATE_LIMIT_STORE } from './tokens.js';
import type { RateLimitStore } from './rate-limit.store.js';

const WINDOW_MS = 15 * 60_000;

/**
 * Whose budget a failed attempt spends (API.md section 0):
 * - `account(userId)` / `name(typed)`: a password or a 6-digit code that names an account. The
 *   username and the email of one account, in any letter case, are the same budget (the caller
 *   resolves the account first); a name that matches no account counts as itself, lower-cased.
 *   Limited per account and IP, and ten times that from all IPs together.
 * - `IpOnly.*`: long random secrets (client secrets, the admin key, headless tokens) and bad refresh
 *   tokens, codes and one-time tokens. They cannot be guessed, so they are never limited per secret:
 *   a stranger must not be able to lock the right one out. Ten times the per-account limit per IP,
 *   one budget per kind (an address that sends stale refresh tokens can still authenticate its
 *   client).
 */
export interface AttemptSubject {
  readonly key: string;
  readonly ipOnly?: boolean;
}

export const IpOnly = {
  clientSecret: { key: 'client-secret', ipOnly: true },
  adminKey: { key: 'admin-key', ipOnly: true },
  headlessToken: { key: 'headless-token', ipOnly: true },
  /** Refresh tokens, auth codes, one-time tokens (links, state, session and SSO tokens). */
  token: { key: 'token', ipOnly: true },
} as const satisfies Record<string, AttemptSubject>;

export const AttemptSubjects = {
  account: (userId: string): AttemptSubject => ({ key: `acct:${userId}` }),
  name: (typed: string): AttemptSubject => ({ key: `name:${typed.trim().toLowerCase()}` }),
  /** The account when the login matched one, else the name as typed. */
  of: (user: { id: string } | null | undefined, typed: string): AttemptSubject =>
    user ? AttemptSubjects.account(user.id) : AttemptSubjects.name(typed),
};

/**
 * One counted attempt. It was counted before the secret was checked; `succeeded()` takes it back
 * (a successful attempt never counts), anything else leaves it counted.
 */
export interface Attempt {
  succeeded(): Promise<void>;
}

/**
 * Failed-attempt limits, counted before they are checked: `begin` adds one to every counter of the
 * subject in one atomic increment each, and refuses (429) when any is past its limit, so parallel
 * attempts cannot slip past a limit between a check and a count. A refused attempt is taken back
 * at once (it was not checked), so requests that are already refused from one address cannot push
 * the all-addresses counter of an account towards its limit.
 */
@Injectable()
export class AttemptLimiter {
  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private keys(subject: AttemptSubject, ip: string): [string, number][] {
    const n = this.config.rateLimitPerAccount;
    if (subject.ipOnly) return [[`fail:ip:${subject.key}:${ip}`, n * 10]];
    return [
      [`fail:${subject.key}:${ip}`, n],
      [`fail:${subject.key}`, n * 10],
    ];
  }

  /** Counts one attempt for `subject` from `ip`; throws 429 when that is past a limit. */
  begin(subject: AttemptSubject, ip: string): Promise<Attempt> {
    return this.count(this.keys(subject, ip), WINDOW_MS, () =>
      subject.ipOnly
        ? 'Too many failed attempts from this address'
        : 'Too many failed attempts for this account; it is locked for a while',
    );
  }

  /**
   * The one per-user budget for wrong second factors (API.md section 12): authenticator and
   * recovery codes and passkey assertions, on every route, whatever name the caller typed.
   * RATE_LIMIT_PER_ACCOUNT per 15 minutes for the user, from all addresses together.
   */
  beginSecondFactor(userId: string): Promise<Attempt> {
    return this.count(
      [[`fail:2fa:${userId}`, this.config.rateLimitPerAccount]],
      WINDOW_MS,
      () => 'Too many wrong second factors for this account; it is locked for a while',
    );
  }

  /**
   * Runs `work` as one counted attempt: it is taken back when `work` succeeds, and when it throws
   * an error that `isFailure` does not count (the secret matched but something else refused, such
   * as a locked membership). By default every error counts.
   */
  async guard<T>(
    subject: AttemptSubject,
    ip: string,
    work: () => Promise<T>,
    isFailure: (err: unknown) => boolean = () => true,
  ): Promise<T> {
    const attempt = await this.begin(subject, ip);
    try {
      const result = await work();
      await attempt.succeeded();
      return result;
    } catch (err) {
      if (!isFailure(err)) await attempt.succeeded();
      throw err;
    }
  }

  private async count(keys: [string, number][], windowMs: number, message: () => string): Promise<Attempt> {
    const hits = await Promise.all(keys.map(([key]) => this.store.hit(key, windowMs)));
    const undo = async () => {
      await Promise.all(keys.map(([key]) => this.store.undo(key)));
    };
    const over = hits.findIndex((h, i) => h.count > keys[i]![1]);
    if (over >= 0) {
      await undo();
      const retryAfter = Math.max(1, Math.ceil(hits[over]!.resetMs / 1000));
      throw Errors.tooManyRequests(retryAfter, `${message()}: try again in ${describeWait(retryAfter)}`);
    }
    let settled = false;
    return {
      succeeded: async () => {
        if (settled) return;
        settled = true;
        await undo();
      },
    };
  }
}

/** Bad refresh tokens and codes: what the token routes count per IP. */
export const BAD_TOKEN_CODES = [
  'INVALID_CODE',
  'INVALID_REFRESH_TOKEN',
  'REFRESH_TOKEN_REUSED',
  'INVALID_TOKEN',
];

/** Whether an error is one of the given contract codes (for `guard`'s `isFailure`). */
export function hasCode(...codes: string[]): (err: unknown) => boolean {
  const set = new Set(codes);
  return (err) => {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === 'string' && set.has(code);
  };
}
