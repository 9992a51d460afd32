/** A retry never waits longer than this, however many attempts failed. */
export const MAX_RETRY_DELAY_MS = 60 * 60_000;

/**
 * Delay before the next attempt after `attempts` failed ones: base x 2^(attempts-1), capped at
 * `capMs`, then spread by -20%..+0% so instances retrying after one outage do not stampede.
 */
export function retryDelayMs(
  attempts: number,
  baseMs: number,
  capMs = MAX_RETRY_DELAY_MS,
  random = Math.random,
): number {
  const exponential = baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 40);
  const delay = Math.min(capMs, exponential);
  return Math.round(delay * (0.8 + 0.2 * random()));
}
