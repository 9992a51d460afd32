// The bench's knobs, read once from the environment (documented in docs/testing.md#benchmarks).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Something broke: the run stops, cleans up and exits 1. Figures that miss a goal are not errors. */
export class BenchError extends Error {}

/** The repository: the first folder above this module that holds a package.json. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new BenchError('no package.json above the bench build');
    dir = parent;
  }
  return dir;
}

export const ROOT = findRoot();
/** Where the compiled bench lives (this module's folder): the child scripts are next to it. */
export const BUILD_DIR = dirname(fileURLToPath(import.meta.url));
export const RESULTS_FILE = join(ROOT, 'bench', 'results', 'latest.json');

export interface Settings {
  /** Seconds of each measured run (autocannon and pgbench). */
  duration: number;
  /** Seconds of the unmeasured run before each measured one (0: none). */
  warmup: number;
  /** autocannon connections of every saturating run. */
  connections: number;
  /** Users provisioned (login bodies rotate over them). */
  users: number;
  /** 1: one instance; 2: then the same runs again with two instances on the same database. */
  instances: 1 | 2;
  /** req/s of GET /auth/me during the login storm (sent open-loop, see load.ts pace). */
  stormMeRate: number;
  /** Spawn-to-first-200 samples of the service and of the minimal Nest app (medians compared). */
  starts: number;
  /** The built service's main.js (absolute). */
  entry: string;
  /** The pgbench executable. */
  pgbench: string;
  /** A PostgreSQL server to create the bench database on; unset: an embedded PostgreSQL. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Passed to the service instances as UV_THREADPOOL_SIZE / DATABASE_POOL_SIZE when set. */
  serviceUvThreadpoolSize: string | undefined;
  serviceDatabasePoolSize: string | undefined;
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function whole(env: Env, name: string, fallback: number, min: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min)
    throw new BenchError(`${name} must be a whole number >= ${min}, got "${raw}"`);
  return Number(raw);
}

export function readSettings(env: Env = process.env): Settings {
  const instances = text(env, 'BENCH_INSTANCES') ?? '2';
  if (instances !== '1' && instances !== '2')
    throw new BenchError(`BENCH_INSTANCES must be 1 or 2, got "${instances}"`);
  return {
    duration: whole(env, 'BENCH_DURATION', 10, 1),
    warmup: whole(env, 'BENCH_WARMUP', 1, 0),
    connections: whole(env, 'BENCH_CONNECTIONS', 32, 1),
    users: whole(env, 'BENCH_USERS', 50, 1),
    instances: instances === '1' ? 1 : 2,
    stormMeRate: whole(env, 'BENCH_STORM_ME_RATE', 100, 1),
    starts: whole(env, 'BENCH_STARTS', 3, 1),
    entry: resolve(ROOT, text(env, 'BENCH_ENTRY') ?? join('dist', 'server', 'main.js')),
    pgbench: text(env, 'BENCH_PGBENCH') ?? 'pgbench',
    databaseUrl: text(env, 'DATABASE_URL'),
    redisUrl: text(env, 'REDIS_URL'),
    serviceUvThreadpoolSize: text(env, 'BENCH_UV_THREADPOOL_SIZE'),
    serviceDatabasePoolSize: text(env, 'BENCH_DATABASE_POOL_SIZE'),
  };
}

/** Rounds to `digits` decimals; null for NaN and infinities. */
export const round = (value: number | null | undefined, digits: number): number | null =>
  value !== null && value !== undefined && Number.isFinite(value) ? Number(value.toFixed(digits)) : null;

export const log = (line: string): void => console.log(`[bench] ${line}`);
