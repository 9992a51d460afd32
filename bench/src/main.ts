// `npm run bench`: builds the service, then this. The flow:
//  1. argon2id rate on all cores (bound of login-token), while nothing else of the bench runs;
//  2. a fresh database, instance 1 of the built service on it (its start runs the migrations);
//  3. provisioning through the admin routes, then sanity probes of every route the load drives;
//  4. the other bounds: start to ready of the service on the migrated database against a
//     minimal Nest app, pgbench's refresh-shaped transaction, the bare node:http verifier;
//  5. the load on one instance, then (BENCH_INSTANCES=2) on two;
//  6. the targets table (figure, bound, ratio, goal, met / not met) and bench/results/latest.json.
// Exit code 0 when the run worked, whatever the figures; 1 when something broke (clean-up runs
// on every path).
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { relative } from 'node:path';
import { argon2Rate, pgbenchRefresh, startBareLogin, startBareVerifier } from './bounds.js';
import { connect, prepareDatabase, prepareRefreshShape, redact, storedArgon2Params } from './database.js';
import type { BareServerInput } from './children/bare-me-server.js';
import { call, expectOk, required, stringField } from './http.js';
import { measure } from './load.js';
import {
  checkInterrupted,
  cleanup,
  installSignalHandlers,
  memoryOf,
  serviceOutput,
  wasInterrupted,
} from './processes.js';
import { provision } from './provisioning.js';
import { passWarnings, printReport, type Report, writeReport } from './report.js';
import { prepareScenario, runPass, runsOf, type PassResults } from './scenarios.js';
import { type Instance, measureStarts, serviceEnv, startInstance } from './service.js';
import { BenchError, log, readSettings, ROOT } from './settings.js';
import { ARGON2_PARAMS, evaluate } from './targets.js';

const loadAverage = (): number[] | null => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return null;
  }
};

/** The `sid` claim of an access token (the session the pgbench rows are cloned from). */
function sessionIdOf(accessToken: string): string {
  const payload = JSON.parse(
    Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
  ) as unknown;
  const sid = stringField(payload, 'sid');
  if (!sid) throw new BenchError('the access token carries no sid');
  return sid;
}

async function main(): Promise<void> {
  installSignalHandlers();
  const settings = readSettings();
  if (!existsSync(settings.entry))
    throw new BenchError(
      `${relative(ROOT, settings.entry)} does not exist: build the service first (npm run bench does)`,
    );
  const cores = availableParallelism();
  const loadAtStart = loadAverage();
  const warnings: string[] = [];
  log(
    `node ${process.version}, ${cores} cores (${cpus()[0]?.model?.trim() ?? 'unknown CPU'}), load average ` +
      `${loadAtStart?.join(' ') ?? '?'}; ${settings.duration} s per run after ${settings.warmup} s warm-up, ` +
      `${settings.connections} connections, ${settings.users} users, ${settings.instances} instance(s), ` +
      `service ${relative(ROOT, settings.entry)}`,
  );

  // 1.
  log(`argon2id rate: ${cores} hashes in flight for ${settings.duration} s`);
  const argon2 = await argon2Rate(settings.duration);
  log(`argon2id: ${argon2.hashesPerSecond} hashes/s`);

  // 2.
  checkInterrupted();
  const database = await prepareDatabase(settings);
  log(`database: ${database.label}`);
  const { env, adminKey } = serviceEnv(settings, database.url);
  const instances: Instance[] = [
    await startInstance(settings, env, 'instance 1', 'fresh database (its start ran the migrations)'),
  ];
  const base = instances[0]!.base;

  // 3.
  const seed = await provision(base, adminKey, settings.users);
  log(`provisioned a tenant, a role, a client, ${seed.users.length} users and a headless token`);
  const db = await connect(database.url);
  for (const p of await storedArgon2Params(db))
    if (
      p.memoryCost !== ARGON2_PARAMS.memoryCost ||
      p.timeCost !== ARGON2_PARAMS.timeCost ||
      p.parallelism !== ARGON2_PARAMS.parallelism
    )
      warnings.push(
        `the service stored argon2id hashes with m=${p.memoryCost}, t=${p.timeCost}, p=${p.parallelism}: not the parameters of the argon2 bound`,
      );
  const scenario = await prepareScenario(base, seed, db);
  warnings.push(...scenario.warnings);
  log('probes passed: login, /auth/me, refresh rotation, code exchange, headless auth_token');

  // 4.
  const starts = await measureStarts(settings, env);
  const shape = await prepareRefreshShape(db, sessionIdOf(scenario.me.token), 10_000);
  log(`pgbench: refresh-shaped transaction, ${settings.duration} s ...`);
  const pgbench = await pgbenchRefresh({
    executable: settings.pgbench,
    url: database.url,
    shape,
    seconds: settings.duration,
    warmup: settings.warmup,
  });
  log(`pgbench: ${pgbench.txPerSec} tx/s`);
  // The service's runs start from tables without pgbench's dead rows.
  await db.query('VACUUM ANALYZE session, login_activity');
  const jwks = (await expectOk(call(base, 'GET', '/.well-known/jwks.json'), 'GET /.well-known/jwks.json'))
    .body as BareServerInput['jwks'] | undefined;
  if (!Array.isArray(jwks?.keys)) throw new BenchError('GET /.well-known/jwks.json answered no keys');
  const discovery = await expectOk(
    call(base, 'GET', '/.well-known/openid-configuration'),
    'GET /.well-known/openid-configuration',
  );
  const issuer = required(discovery, 'issuer', 'GET /.well-known/openid-configuration');
  const bare = await startBareVerifier({ jwks, issuer, body: scenario.me.body });
  const bareAnswer = await call(bare.base, 'GET', '/auth/me', { token: scenario.me.token });
  if (bareAnswer.status !== 200 || bareAnswer.text !== JSON.stringify(scenario.me.body))
    throw new BenchError(`the bare verifier's /auth/me differs from the service's (${bareAnswer.status})`);
  log('bare node:http GET /auth/me ...');
  const bareMe = await measure({ bases: [bare.base], pids: [bare.pid] }, scenario.meSpec, settings);
  await bare.stop();
  const bareLoginServer = await startBareLogin({ databaseUrl: database.url, issuer });
  await expectOk(
    call(bareLoginServer.base, 'POST', '/auth/login-token', { body: scenario.loginRequest(0) }),
    'POST /auth/login-token of the bare login server',
  );
  log('bare node:http POST /auth/login-token ...');
  const bareLogin = await measure(
    { bases: [bareLoginServer.base], pids: [bareLoginServer.pid] },
    scenario.loginSpec,
    settings,
  );
  await bareLoginServer.stop();

  // 5.
  const one = await runPass(settings, scenario, instances);
  const passes: Partial<Record<'1' | '2', PassResults>> = { '1': one };
  if (settings.instances === 2) {
    instances.push(await startInstance(settings, env, 'instance 2', 'migrated database'));
    passes['2'] = await runPass(settings, scenario, instances);
  }

  // 6.
  for (const [n, p] of Object.entries(passes)) warnings.push(...passWarnings(n, p, settings.stormMeRate));
  const allRuns = Object.values(passes).flatMap((p) => runsOf(p, settings.stormMeRate).map(([, r]) => r));
  const instanceReports = instances.map((i) => ({
    name: i.name,
    pid: i.child.pid,
    readyMs: i.readyMs,
    readyOn: i.readyOn,
    ...memoryOf(i.child.pid),
  }));
  const peakRss = Math.max(...instanceReports.map((i) => i.peakRssMb ?? 0)) || null;
  const headline = evaluate({
    refreshRate: { value: one.tokenRefresh.reqPerSec, bound: pgbench.txPerSec },
    refreshP99: { value: one.tokenRefresh.p99Ms },
    meRate: { value: one.me.reqPerSec, bound: bareMe.reqPerSec },
    loginRate: { value: one.loginToken.reqPerSec, bound: argon2.hashesPerSecond },
    stormMeP99: {
      value: one.stormMe.p99Ms,
      note: `${settings.stormMeRate}/s asked, ${one.stormMe.reqPerSec}/s answered`,
    },
    peakRss: { value: peakRss, note: instances.length > 1 ? 'highest of the instances' : undefined },
    ready: { value: starts.serviceMedianMs, bound: starts.minimalNestMedianMs },
    non2xx: { value: allRuns.reduce((acc, r) => acc + r.non2xx, 0) },
  });

  const report: Report = {
    finishedAt: new Date().toISOString(),
    node: process.version,
    cores,
    cpuModel: cpus()[0]?.model?.trim() ?? null,
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadAverage(),
    settings: {
      ...settings,
      entry: relative(ROOT, settings.entry),
      databaseUrl: settings.databaseUrl ? redact(settings.databaseUrl) : undefined,
      redisUrl: settings.redisUrl ? redact(settings.redisUrl) : undefined,
    },
    database: database.label,
    bounds: { argon2, pgbench, bareMe, bareLogin, starts },
    instances: instanceReports,
    passes,
    headline,
    warnings,
  };
  printReport(report, settings.stormMeRate);
  console.log(`results written to ${writeReport(report)}`);
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  exitCode = 1;
  if (!wasInterrupted()) {
    console.error(
      `[bench] FAILED: ${err instanceof BenchError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    if (serviceOutput.length > 0)
      console.error(`[bench] last lines of the service:\n${serviceOutput.join('\n')}`);
  }
}
if (!wasInterrupted()) {
  const problems = await cleanup();
  for (const p of problems) console.error(`[bench] clean-up problem: ${p}`);
  if (problems.length > 0) exitCode = 1;
  process.exit(exitCode);
}
