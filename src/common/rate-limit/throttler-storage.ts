import { Inject, Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RATE_LIMIT_STORE } from './tokens.js';
import type { RateLimitStore } from './rate-limit.store.js';

/** @nestjs/throttler storage over the shared RateLimitStore (Redis when configured). */
@Injectable()
export class SharedThrottlerStorage implements ThrottlerStorage {
  constructor(@Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore) {}

  async increment(key: string, ttl: number, limit: number, _block: number, name: string) {
    const { count, resetMs } = await this.store.hit(`thr:${name}:${key}`, ttl);
    const seconds = Math.max(1, Math.ceil(resetMs / 1000));
    const isBlocked = count > limit;
    return { totalHits: count, timeToExpire: seconds, isBlocked, timeToBlockExpire: isBlocked ? seconds : 0 };
  }
}
