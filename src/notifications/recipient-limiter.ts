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
 * Caps the messages requested for one account (RATE_LIMIT_PER_ADDRESS an hour, from all IPs
 * together), so nobody can mail-bomb or SMS-bomb a person through forgot password, sign-up, code
 * or verification routes (API.md section 12). The budget is the ACCOUNT's, whatever the caller
 * typed: its username and its email, in any letter case, and its mail and SMS share one budget,
 * so naming the account two ways does not double it (nor the codes that can be asked for). A name
 * that matches no account counts as itself (an email in any case is one name). Every request
 * naming a recipient counts, known or not, so a 429 says nothing about which names have accounts.
 * Keys hold an account id or a hash of the name, never the address.
 */
@Injectable()
export class RecipientLimiter {
  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Counts one message requested for `typed` (a username, email or phone as the caller gave it);
   * throws 429 TOO_MANY_REQUESTS (with Retry-After) over the limit. `account` is the account the
   * caller resolved from `typed` (null: none), so the budget is the account's.
   */
  async hit(channel: OutboxMessage['channel'], typed: string, account: { id: string } | null): Promise<void> {
    const key = account
      ? `notify:acct:${account.id}`
      : `notify:${channel}:${sha256Hex(normaliseRecipient(channel, typed))}`;
    const { count, resetMs } = await this.store.hit(key, WINDOW_MS);
    if (count > this.config.rateLimitPerAddress) {
      throw Errors.tooManyRequests(Math.max(1, Math.ceil(resetMs / 1000)));
    }
  }
}
