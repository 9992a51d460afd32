import type { Attempt } from './attempt-limiter.js';

/**
 * Counts one attempt against several budgets, in order (for example the second-factor budget,
 * then the daily code budget). When one refuses (429), the ones already counted are taken back:
 * the attempt was never checked. Answers one Attempt whose `succeeded()` takes back all of them.
 */
export async function beginAll(...starts: (() => Promise<Attempt>)[]): Promise<Attempt> {
  const begun: Attempt[] = [];
  try {
    for (const start of starts) begun.push(await start());
  } catch (err) {
    await Promise.all(begun.map((a) => a.succeeded()));
    throw err;
  }
  return {
    succeeded: async () => {
      await Promise.all(begun.map((a) => a.succeeded()));
    },
  };
}
