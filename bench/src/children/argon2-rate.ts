// The bound of POST /auth/login-token: raw argon2id hashes per second with @node-rs/argon2 (the
// service's library) at the given parameters, `lanes` hashes in flight (one per core). Forked by
// the bench with UV_THREADPOOL_SIZE >= lanes, so the hashes really run on every core.
import { performance } from 'node:perf_hooks';
import { Algorithm, hash } from '@node-rs/argon2';

export interface Argon2RateInput {
  params: { memoryCost: number; timeCost: number; parallelism: number };
  seconds: number;
  lanes: number;
}

export interface Argon2RateReply {
  hashes: number;
  seconds: number;
  /** Milliseconds per hash, sorted. */
  timesMs: number[];
}

async function run({ params, seconds, lanes }: Argon2RateInput): Promise<Argon2RateReply> {
  const options = { ...params, algorithm: Algorithm.Argon2id };
  await Promise.all(Array.from({ length: lanes }, (_, lane) => hash(`warm-up-${lane}`, options)));
  const timesMs: number[] = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const t0 = performance.now();
        await hash(`bench-password-${lane}-${n}`, options);
        timesMs.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  return { hashes: timesMs.length, seconds: elapsed, timesMs: timesMs.sort((a, b) => a - b) };
}

process.once('message', (message) => {
  run(message as Argon2RateInput).then(
    (reply) => process.send!(reply, () => process.exit(0)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
process.on('disconnect', () => process.exit(0));
