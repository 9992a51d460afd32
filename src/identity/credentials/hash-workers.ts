import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * How much lower than the rest of the process the hashing threads run (Linux `nice`, per
 * thread). At 10 the scheduler gives a busy request thread or PostgreSQL about ten times a
 * hash's share of a core: during a login storm every other request is answered first, and the
 * hashes take whatever CPU is left, which on an idle machine is all of it.
 */
export const HASH_NICENESS = 10;

/** What a hashing thread can do; its arguments and answer cross threads by structured clone. */
export type HashJob =
  | { op: 'argon2Hash'; args: [password: string, options: Record<string, number>] }
  | { op: 'argon2Verify'; args: [hash: string, password: string] }
  | { op: 'bcryptCompare'; args: [password: string, hash: string] };

// Plain CommonJS run by each worker (eval), so it needs no file of its own next to the bundle.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try { require('node:os').setPriority(workerData.niceness); } catch {}
const argon2 = require(workerData.argon2);
const bcrypt = require(workerData.bcrypt);
const ops = {
  argon2Hash: (password, options) => argon2.hashSync(password, options),
  argon2Verify: (hash, password) => argon2.verifySync(hash, password),
  bcryptCompare: (password, hash) => bcrypt.compareSync(password, hash),
};
parentPort.on('message', ({ op, args }) => {
  try {
    parentPort.postMessage({ ok: true, value: ops[op](...args) });
  } catch (err) {
    parentPort.postMessage({ ok: false, message: String((err && err.message) || err) });
  }
});
`;

interface Pending {
  job: HashJob;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * Password hashes on their own threads, one job per thread and at most one thread per core;
 * the jobs beyond that wait in order, costing a closure each, not the 19 MiB a running argon2id
 * hash holds. The threads start on first use (not at start-up), run at HASH_NICENESS, and do
 * not keep the process alive. A thread that dies fails its job and is replaced on the next one.
 */
export class HashWorkers {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly waiting: Pending[] = [];
  private readonly modules: { argon2: string; bcrypt: string };
  private closed = false;

  constructor(readonly size = Math.max(1, availableParallelism())) {
    const require = createRequire(import.meta.url);
    this.modules = { argon2: require.resolve('@node-rs/argon2'), bcrypt: require.resolve('bcryptjs') };
  }

  /** Jobs running now and jobs waiting for a thread. */
  get load(): { running: number; waiting: number } {
    return { running: this.busy.size, waiting: this.waiting.length };
  }

  run<T>(job: HashJob): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the hashing threads are closed'));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ job, resolve: resolve as (value: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Stops every thread; waiting and running jobs fail. */
  async close(): Promise<void> {
    this.closed = true;
    const gone = new Error('the hashing threads are closed');
    for (const pending of this.waiting.splice(0)) pending.reject(gone);
    const workers = [...this.idle.splice(0), ...this.busy.keys()];
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      const worker =
        this.idle.pop() ?? (this.idle.length + this.busy.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const pending = this.waiting.shift()!;
      this.busy.set(worker, pending);
      worker.postMessage(pending.job);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ...this.modules, niceness: HASH_NICENESS },
    });
    worker.unref();
    worker.on('message', (answer: { ok: true; value: unknown } | { ok: false; message: string }) => {
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      if (!this.closed) this.idle.push(worker);
      if (pending) {
        if (answer.ok) pending.resolve(answer.value);
        else pending.reject(new Error(answer.message));
      }
      this.dispatch();
    });
    const lost = (err: Error) => {
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      const i = this.idle.indexOf(worker);
      if (i >= 0) this.idle.splice(i, 1);
      pending?.reject(err);
      if (!this.closed) this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`a hashing thread exited (${code})`)));
    return worker;
  }
}
