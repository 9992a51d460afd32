import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { SecretBox } from './crypto/secret-box.js';
import { AttemptLimiter } from './rate-limit/attempt-limiter.js';
import { MemoryRateLimitStore, RateLimitStore, RedisRateLimitStore } from './rate-limit/rate-limit.store.js';
import { SharedThrottlerStorage } from './rate-limit/throttler-storage.js';
import { RATE_LIMIT_STORE } from './rate-limit/tokens.js';

/** Cross-cutting providers every module may use: encryption at rest and rate-limit counters. */
@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        if (!config.encryptionKey) throw new Error('ENCRYPTION_KEY is not configured');
        return new SecretBox(config.encryptionKey, config.encryptionKeyPrevious);
      },
    },
    {
      provide: RATE_LIMIT_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): RateLimitStore | Promise<RateLimitStore> =>
        config.redisUrl
          ? RedisRateLimitStore.connect(config.redisUrl, config.redisKeyPrefix)
          : new MemoryRateLimitStore(),
    },
    AttemptLimiter,
    SharedThrottlerStorage,
  ],
  exports: [SecretBox, RATE_LIMIT_STORE, AttemptLimiter, SharedThrottlerStorage],
})
export class CommonModule implements OnApplicationShutdown {
  constructor(@Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
