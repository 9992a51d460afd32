// The bounds of the headline figures, measured in the same run on the same machine:
// - argon2id hashes/s on all cores (bound of POST /auth/login-token),
// - pgbench tx/s of a refresh-shaped transaction (bound of POST /auth/token-refresh),
// - a bare node:http verifier of the same token answering the same JSON (bound of GET /auth/me),
// - (information) a bare node:http login on the same database, what Node allows for a login,
// - a minimal Nest app's spawn-to-first-200 (bound of the service's start to ready).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Argon2RateInput, Argon2RateReply } from './children/argon2-rate.js';
import type { BareLoginInput } from './children/bare-login-server.js';
import type { BareServerReply } from './children/bare-http.js';
import type { BareServerInput } from './children/bare-me-server.js';
import { pgbenchSessionId, type RefreshShape } from './database.js';
import { checkInterrupted, defer, forkHelper, stopChild } from './processes.js';
import { BenchError, BUILD_DIR, round } from './settings.js';
import { ARGON2_PARAMS, PGBENCH_CLIENTS } from './targets.js';

export interface Argon2Rate {
  params: typeof ARGON2_PARAMS;
  lanes: number;
  seconds: number | null;
  hashes: number;
  hashesPerSecond: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

const at = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** argon2id at the service's parameters, one hash in flight per core, in a child of its own. */
export async function argon2Rate(seconds: number): Promise<Argon2Rate> {
  const lanes = availableParallelism();
  const input: Argon2RateInput = { params: { ...ARGON2_PARAMS }, seconds, lanes };
  const { child, reply } = await forkHelper<Argon2RateReply>(
    join(BUILD_DIR, 'children', 'argon2-rate.js'),
    input,
    {
      ...process.env,
      UV_THREADPOOL_SIZE: String(Math.max(4, lanes)),
    },
  );
  await stopChild(child, 5000);
  return {
    params: ARGON2_PARAMS,
    lanes,
    seconds: round(reply.seconds, 2),
    hashes: reply.hashes,
    hashesPerSecond: round(reply.hashes / reply.seconds, 1),
    p50Ms: round(at(reply.timesMs, 0.5), 2),
    p99Ms: round(at(reply.timesMs, 0.99), 2),
  };
}

/** A SQL string literal (standard_conforming_strings). */
const literal = (value: string | null) => (value === null ? 'NULL' : `'${value.replaceAll("'", "''")}'`);

/**
 * The refresh-shaped transaction of a real refresh's writes, on the bench database's own tables:
 * UPDATE one session row (clones of a real session, picked at random) as a refresh does (last use,
 * expiries), then INSERT one login_activity row with the values of a real login's row (the
 * encrypted token payload and IP, the user agent).
 */
export function refreshScript(shape: RefreshShape): string {
  return [
    `\\set n random(1, ${shape.sessions})`,
    'BEGIN;',
    `UPDATE session SET last_used_at = now(), expires_at = now() + interval '30 days', ` +
      `access_expires_at = greatest(access_expires_at, now() + interval '1 hour') ` +
      `WHERE id = ${pgbenchSessionId(':n')};`,
    `INSERT INTO login_activity (id, actor, tenant_id, token_payload_enc, login_type, auth_method, ` +
      `device_info, user_agent, ip_address_enc) VALUES (gen_random_uuid(), ${literal(shape.actor)}, ` +
      `${literal(shape.tenantId)}, ${literal(shape.tokenPayloadEnc)}, 'RELOGIN', ${literal(shape.authMethod)}, ` +
      `NULL, ${literal(shape.userAgent)}, ${literal(shape.ipAddressEnc)});`,
    'END;',
    '',
  ].join('\n');
}

export interface PgbenchResult {
  clients: number;
  threads: number;
  seconds: number;
  transactions: number | null;
  failed: number | null;
  txPerSec: number | null;
  latencyAverageMs: number | null;
}

function runPgbench(executable: string, args: string[]): Promise<string> {
  checkInterrupted();
  return new Promise((resolveRun, reject) => {
    const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const running = defer('stop pgbench', () => stopChild(child, 5000));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', (err) => {
      running.forget();
      reject(new BenchError(`cannot run ${executable} (set BENCH_PGBENCH): ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      running.forget();
      if (code === 0) resolveRun(out);
      else reject(new BenchError(`pgbench exited with ${code ?? signal}:\n${out.slice(-1500)}`));
    });
  });
}

/**
 * pgbench -M prepared with PGBENCH_CLIENTS clients on the bench database for `seconds` (after an
 * unmeasured run of `warmup` seconds), no vacuum (-n: the bench has no pgbench tables).
 */
export async function pgbenchRefresh(options: {
  executable: string;
  url: string;
  shape: RefreshShape;
  seconds: number;
  warmup: number;
}): Promise<PgbenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'auth-bff-pgbench-'));
  const removeDir = defer('remove the pgbench script', () => rmSync(dir, { recursive: true, force: true }));
  try {
    const script = join(dir, 'refresh.sql');
    writeFileSync(script, refreshScript(options.shape));
    const threads = Math.min(PGBENCH_CLIENTS, availableParallelism());
    const args = (seconds: number) => [
      '-n',
      '-M',
      'prepared',
      '-c',
      String(PGBENCH_CLIENTS),
      '-j',
      String(threads),
      '-T',
      String(seconds),
      '-f',
      script,
      options.url,
    ];
    if (options.warmup > 0) await runPgbench(options.executable, args(options.warmup));
    const out = await runPgbench(options.executable, args(options.seconds));
    const number = (re: RegExp) => {
      const m = re.exec(out);
      return m ? Number(m[1]) : null;
    };
    const result: PgbenchResult = {
      clients: PGBENCH_CLIENTS,
      threads,
      seconds: options.seconds,
      transactions: number(/number of transactions actually processed: (\d+)/),
      failed: number(/number of failed transactions: (\d+)/),
      txPerSec: round(number(/tps = ([\d.]+) \(without initial connection time\)/), 1),
      latencyAverageMs: number(/latency average = ([\d.]+) ms/),
    };
    if (result.txPerSec === null) throw new BenchError(`pgbench printed no tps:\n${out.slice(-1500)}`);
    if (result.failed)
      throw new BenchError(`pgbench: ${result.failed} failed transactions:\n${out.slice(-1500)}`);
    return result;
  } finally {
    await removeDir.close();
  }
}

/** A bare node:http child of `children/` (the child is stopped at clean-up, or by `stop`). */
async function startBareServer(
  script: string,
  label: string,
  input: unknown,
): Promise<{ base: string; pid: number; stop: () => Promise<void> }> {
  const { child, reply } = await forkHelper<BareServerReply>(join(BUILD_DIR, 'children', script), input);
  const running = defer(`stop the ${label}`, () => stopChild(child, 3000));
  if ('error' in reply) throw new BenchError(`the ${label} failed: ${reply.error}`);
  return { base: `http://127.0.0.1:${reply.port}`, pid: child.pid!, stop: () => running.close() };
}

/** Starts the bare verifier (the bound of GET /auth/me). */
export const startBareVerifier = (input: BareServerInput) =>
  startBareServer('bare-me-server.js', 'bare verifier', input);

/** Starts the bare login server (what Node allows for POST /auth/login-token; information only). */
export const startBareLogin = (input: BareLoginInput) =>
  startBareServer('bare-login-server.js', 'bare login server', input);

export const MINIMAL_NEST_APP = join(BUILD_DIR, 'children', 'minimal-nest-app.js');
/** The same app bundled as the service is (`npm run build:bench` runs scripts/bundle.mjs on it). */
export const MINIMAL_NEST_BUNDLE = join(BUILD_DIR, 'minimal-nest-bundle', 'main.js');

export const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : round((s[mid - 1]! + s[mid]!) / 2, 0);
};
