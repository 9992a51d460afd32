import { Redis } from 'ioredis';

/**
 * The Redis the tests may use: REDIS_URL (CI sets it), else a local one on the default port.
 * Answers undefined when none answers, so tests that need Redis are skipped on a machine without.
 */
export async function reachableRedisUrl(): Promise<string | undefined> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return url;
  } catch {
    if (process.env.REDIS_URL) throw new Error(`REDIS_URL is set but ${url} does not answer`);
    return undefined;
  } finally {
    redis.disconnect();
  }
}
