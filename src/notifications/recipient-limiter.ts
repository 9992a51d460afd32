import { Inject, Injectable } from '@nestjs/common';
import { sha256Hex } from '../common/crypto/tokens.js';
import { Errors } from '../common/errors/app-error.js';
import type { RateLimitStore } from '../common/rate-limit/rate-limit.store.js';
import { RATE_LIMIT_STORE } from '../common/rate-limit/tokens.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { normaliseRecipient } from './outbox.service.js';
import type { OutboxMessage } from './outbox.types.js';

const WINDOW_MS = 60 * 60_000;

/**
 * Caps the messages requested for one address (RATE_LIMIT_PER_ADDRESS an hour, from all IPs
 * together), so nobody can mail-bomb or SMS-bomb an address through forgot password, sign-up or
 * code routes. Count every request naming the address, known or not, so a 429 reveals nothing
 * about which addresses have accounts. Keys hold a hash of the address, never the address.
 */
@Injectable()
export class RecipientLimiter {
  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Counts one request for `to`; throws 429 TOO_MANY_REQUESTS (with Retry-After) over the limit. */
  async hit(channel: OutboxMessage['channel'], to: string): Promise<void> {
    const key = `notify:${channel}:${sha256Hex(normaliseRecipient(channel, to))}`;
    const { count, resetMs } = await this.store.hit(key, WINDOW_MS);
    if (count > this.config.rateLimitPerAddress) {
      throw Errors.tooManyRequests(Math.max(1, Math.ceil(resetMs / 1000)));
    }
  }
}
