import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { Errors } from '../errors/app-error.js';
import { RATE_LIMIT_STORE } from './tokens.js';
import type { RateLimitStore } from './rate-limit.store.js';

const WINDOW_MS = 15 * 60_000;

/**
 * Failed-attempt limits of API.md section 0: RATE_LIMIT_PER_ACCOUNT failures per 15 minutes for one
 * account (username, email or client) from one IP, ten times that from all IPs together, so one
 * address cannot lock an account out. Bad refresh tokens and codes count per IP only (ten times the
 * per-account limit). Successful attempts never count.
 */
@Injectable()
export class AttemptLimiter {
  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private keys(subject: string | undefined, ip: string): [string, number][] {
    const n = this.config.rateLimitPerAccount;
    if (!subject) return [[`fail:ip:${ip}`, n * 10]];
    const s = subject.toLowerCase();
    return [
      [`fail:acct:${s}:${ip}`, n],
      [`fail:acct:${s}`, n * 10],
    ];
  }

  /** Throws 429 when a limit is already reached for `subject` (or for the IP when subject is undefined). */
  async assertAllowed(subject: string | undefined, ip: string): Promise<void> {
    for (const [key, limit] of this.keys(subject, ip)) {
      const { count, resetMs } = await this.store.peek(key);
      if (count >= limit) throw Errors.tooManyRequests(Math.max(1, Math.ceil(resetMs / 1000)));
    }
  }

  async recordFailure(subject: string | undefined, ip: string): Promise<void> {
    for (const [key] of this.keys(subject, ip)) await this.store.hit(key, WINDOW_MS);
  }
}
