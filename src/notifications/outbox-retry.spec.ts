import { describe, expect, it } from 'vitest';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from './outbox-retry.js';

describe('retryDelayMs', () => {
  const exact = () => 1; // no jitter: the upper bound

  it('doubles with each failed attempt', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 5000, MAX_RETRY_DELAY_MS, exact))).toEqual([
      5000, 10_000, 20_000, 40_000, 80_000,
    ]);
  });

  it('is capped, even after very many attempts', () => {
    expect(retryDelayMs(12, 5000, MAX_RETRY_DELAY_MS, exact)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(10_000, 5000, MAX_RETRY_DELAY_MS, exact)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(3, 1000, 2500, exact)).toBe(2500);
  });

  it('spreads retries over the last 20% below the delay', () => {
    expect(retryDelayMs(1, 1000, MAX_RETRY_DELAY_MS, () => 0)).toBe(800);
    for (let i = 0; i < 100; i++) {
      const d = retryDelayMs(2, 1000);
      expect(d).toBeGreaterThanOrEqual(1600);
      expect(d).toBeLessThanOrEqual(2000);
    }
  });

  it('treats attempt 0 like the first', () => {
    expect(retryDelayMs(0, 1000, MAX_RETRY_DELAY_MS, exact)).toBe(1000);
  });
});
