import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import { HASH_NICENESS, HashWorkers } from './hash-workers.js';

const ARGON2ID = { memoryCost: 19456, timeCost: 2, parallelism: 1, algorithm: 2 };

/** The nice value of each thread of this process (Linux: field 19 of /proc/self/task/<tid>/stat). */
const threadNiceness = () =>
  readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });

describe('HashWorkers', () => {
  let workers: HashWorkers;
  afterEach(() => workers?.close());

  it('hashes and verifies argon2id and bcrypt on its threads', async () => {
    workers = new HashWorkers(2);
    const hash = await workers.run<string>({ op: 'argon2Hash', args: ['Violet-Harbour-42', ARGON2ID] });
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await workers.run({ op: 'argon2Verify', args: [hash, 'Violet-Harbour-42'] })).toBe(true);
    expect(await workers.run({ op: 'argon2Verify', args: [hash, 'violet-harbour-42'] })).toBe(false);
    const b = bcrypt.hashSync('imported', 4);
    expect(await workers.run({ op: 'bcryptCompare', args: ['imported', b] })).toBe(true);
    expect(await workers.run({ op: 'bcryptCompare', args: ['other', b] })).toBe(false);
  });

  it('runs at most `size` jobs at once; the others wait their turn and all complete', async () => {
    workers = new HashWorkers(1);
    const jobs = [1, 2, 3].map((n) =>
      workers.run<string>({ op: 'argon2Hash', args: [`password-${n}`, ARGON2ID] }),
    );
    expect(workers.load).toEqual({ running: 1, waiting: 2 });
    expect(new Set(await Promise.all(jobs)).size).toBe(3);
    expect(workers.load).toEqual({ running: 0, waiting: 0 });
  });

  it.runIf(existsSync('/proc/self/task'))(
    'runs its threads at a lower priority than the request thread',
    async () => {
      const before = threadNiceness().filter((n) => n === HASH_NICENESS).length;
      workers = new HashWorkers(2);
      await Promise.all([
        workers.run({ op: 'argon2Hash', args: ['a-password-1', ARGON2ID] }),
        workers.run({ op: 'argon2Hash', args: ['a-password-2', ARGON2ID] }),
      ]);
      const after = threadNiceness();
      expect(after.filter((n) => n === HASH_NICENESS).length - before).toBe(2);
      expect(after[0]).toBe(0);
    },
  );

  it('fails a job whose input is refused and keeps the thread for the next one', async () => {
    workers = new HashWorkers(1);
    await expect(workers.run({ op: 'argon2Verify', args: ['not-a-hash', 'x'] })).rejects.toThrow();
    const hash = await workers.run<string>({ op: 'argon2Hash', args: ['still-works', ARGON2ID] });
    expect(await workers.run({ op: 'argon2Verify', args: [hash, 'still-works'] })).toBe(true);
  });

  it('refuses jobs once closed and fails those waiting', async () => {
    workers = new HashWorkers(1);
    const running = workers.run({ op: 'argon2Hash', args: ['first', ARGON2ID] });
    const waiting = workers.run({ op: 'argon2Hash', args: ['second', ARGON2ID] });
    const settled = Promise.allSettled([running, waiting]);
    await workers.close();
    const [first, second] = await settled;
    expect(first.status).toBe('rejected');
    expect(second).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/closed/) } });
    await expect(workers.run({ op: 'argon2Hash', args: ['third', ARGON2ID] })).rejects.toThrow(/closed/);
  });
});
