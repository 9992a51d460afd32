import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

export interface Hit {
  count: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

/**
 * Fixed-window counters for rate limits. Memory by default; Redis when REDIS_URL is set so all
 * instances share one counter. Redis only ever holds counters: losing it loses no data.
 */
export interface RateLimitStore {
  /** Adds one to the key's counter in one atomic step (a new window starts at 1) and answers it. */
  hit(key: string, windowMs: number): Promise<Hit>;
  /** Takes one back (an attempt that turned out not to count); never below zero, never a new window. */
  undo(key: string): Promise<void>;
  /** Forgets the key's counter (e.g. a budget that a successful sign-in restores). */
  reset(key: string): Promise<void>;
  /** `ok`, `degraded` (Redis configured but unreachable: limits are per instance meanwhile) or `memory`. */
  health(): Promise<'ok' | 'degraded' | 'memory'>;
  close(): Promise<void>;
}

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = Date.now();

  private sweep(now: number): void {
    if (now - this.lastSweep < 10_000) return;
    this.lastSweep = now;
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }

  async hit(key: string, windowMs: number): Promise<Hit> {
    const now = Date.now();
    this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return { count: w.count, resetMs: w.resetAt - now };
  }

  async undo(key: string): Promise<void> {
    const w = this.windows.get(key);
    if (w && w.resetAt > Date.now() && w.count > 0) w.count--;
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  async health(): Promise<'memory'> {
    return 'memory';
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}

const HIT_SCRIPT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}`;

const UNDO_SCRIPT = `
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
if c > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

/** Redis counters with a memory fallback while Redis is unreachable (logged, and reported as degraded). */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: Redis;
  private readonly fallback = new MemoryRateLimitStore();
  private degraded = false;

  /** ioredis is loaded only when REDIS_URL is set (start-up imports only what serves requests). */
  static async connect(url: string, keyPrefix: string): Promise<RedisRateLimitStore> {
    const { Redis } = await import('ioredis');
    return new RedisRateLimitStore(
      new Redis(url, {
        lazyConnect: false,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        commandTimeout: 1000,
        keyPrefix,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      }),
    );
  }

  private constructor(redis: Redis) {
    this.redis = redis;
    this.redis.on('error', (err) => this.markDegraded(err));
    this.redis.on('ready', () => {
      if (this.degraded) this.logger.log('Redis is reachable again: rate limits are shared again');
      this.degraded = false;
    });
  }

  private markDegraded(err: Error): void {
    if (!this.degraded) {
      this.logger.warn(`Redis unavailable (${err.message}): rate limits fall back to this instance's memory`);
    }
    this.degraded = true;
  }

  async hit(key: string, windowMs: number): Promise<Hit> {
    try {
      const [count, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, key, String(windowMs))) as [number, number];
      return { count, resetMs: ttl };
    } catch (err) {
      this.markDegraded(err as Error);
      return this.fallback.hit(key, windowMs);
    }
  }

  async undo(key: string): Promise<void> {
    try {
      await this.redis.eval(UNDO_SCRIPT, 1, key);
    } catch (err) {
      this.markDegraded(err as Error);
      await this.fallback.undo(key);
    }
  }

  async reset(key: string): Promise<void> {
    try {
      await this.redis.del(key);
    } catch (err) {
      this.markDegraded(err as Error);
    }
    await this.fallback.reset(key);
  }

  async health(): Promise<'ok' | 'degraded'> {
    try {
      await this.redis.ping();
      return 'ok';
    } catch {
      return 'degraded';
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
