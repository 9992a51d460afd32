// What the run prints and writes to bench/results/latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { Argon2Rate, PgbenchResult } from './bounds.js';
import type { RunResult } from './load.js';
import { type PassResults, runsOf } from './scenarios.js';
import type { StartTimes } from './service.js';
import { RESULTS_FILE, ROOT, round } from './settings.js';
import { TARGETS, type Check } from './targets.js';

export interface InstanceReport {
  name: string;
  pid: number | undefined;
  readyMs: number;
  readyOn: string;
  peakRssMb: number | null;
  rssMb: number | null;
}

export interface Report {
  finishedAt: string;
  node: string;
  cores: number;
  cpuModel: string | null;
  loadAverageAtStart: number[] | null;
  loadAverageAtEnd: number[] | null;
  settings: Record<string, unknown>;
  database: string;
  bounds: {
    argon2: Argon2Rate;
    pgbench: PgbenchResult;
    bareMe: RunResult;
    /** Information: a bare node:http login on the same database (children/bare-login-server.ts). */
    bareLogin: RunResult;
    starts: StartTimes;
  };
  instances: InstanceReport[];
  passes: Partial<Record<'1' | '2', PassResults>>;
  headline: Check[];
  warnings: string[];
}

/** Columns padded to their widest cell; the first `left` columns left-aligned, the rest right-aligned. */
export function table(head: string[], rows: string[][], left = 1): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('   ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const show = (value: number | null | undefined, unit = '') =>
  value === null || value === undefined ? 'n/a' : unit ? `${value} ${unit}` : String(value);

export function headlineTable(checks: Check[]): string {
  const rows = checks.map((c) => [
    c.figure + (c.note ? ` (${c.note})` : ''),
    show(c.value, c.unit),
    c.bound ? `${show(c.bound.value, c.bound.unit)} (${c.bound.name})` : '-',
    c.bound ? (c.ratio === null ? 'n/a' : c.ratio.toFixed(3)) : '-',
    c.goal,
    c.met === null ? 'n/a' : c.met ? 'met' : 'NOT met',
  ]);
  return table(['figure', 'measured', 'bound, same run', 'ratio', 'goal', 'result'], rows, 1);
}

export function boundDefinitions(): string[] {
  return TARGETS.filter((t) => t.bound).map((t) => `  ${t.bound!.name} = ${t.bound!.what}`);
}

export function runsTable(rows: [string, RunResult][]): string {
  const body = rows.map(([name, r]) => {
    const cpu = r.cpuPercentOfOneCore;
    return [
      name,
      String(r.instances),
      show(r.reqPerSec),
      show(r.p50Ms),
      show(r.p99Ms),
      String(r.requests),
      String(r.non2xx),
      String(r.errors + r.timeouts),
      show(r.cpuBusyPercent),
      [cpu.service, cpu.postgres, cpu.loadGenerator].map((v) => v ?? '?').join('/'),
    ];
  });
  return table(
    [
      'run',
      'inst',
      'req/s',
      'p50 ms',
      'p99 ms',
      'requests',
      'non-2xx',
      'errors',
      'CPU busy %',
      'svc/pg/cannon %',
    ],
    body,
  );
}

/** What a pass did wrong besides its figures: runs without answers, non-2xx answers, pool errors. */
export function passWarnings(n: string, p: PassResults, stormRate: number): string[] {
  const warnings: string[] = [];
  for (const [name, r] of runsOf(p, stormRate)) {
    if (r.requests === 0) warnings.push(`[${n} inst] ${name}: no answer at all in ${r.durationSeconds} s`);
    if (r.non2xx > 0)
      warnings.push(`[${n} inst] ${name}: ${r.non2xx} non-2xx answers (${JSON.stringify(r.statusCodes)})`);
  }
  const rot = p.tokenRefresh.rotation;
  if (rot.errors > 0) warnings.push(`[${n} inst] token-refresh errors: ${JSON.stringify(rot.errorCodes)}`);
  const ex = p.oauth2Code.exchange;
  if (ex.errors > 0) warnings.push(`[${n} inst] code exchange errors: ${JSON.stringify(ex.errorCodes)}`);
  return warnings;
}

export function printReport(report: Report, stormRate: number): void {
  const { argon2, pgbench, bareMe, bareLogin, starts } = report.bounds;
  const rows: [string, RunResult][] = [];
  for (const [n, p] of Object.entries(report.passes))
    rows.push(
      ...runsOf(p, stormRate).map(([name, r]): [string, RunResult] => [
        n === '1' ? name : `${name} x${n}`,
        r,
      ]),
    );
  rows.push(['bare node:http GET /auth/me (bound)', bareMe]);
  rows.push(['bare node:http POST /auth/login-token (info)', bareLogin]);
  console.log('');
  console.log('Every run (x2 = two instances on the same database, connections split, req/s summed):');
  console.log(runsTable(rows));
  console.log(
    `CPU busy % = share of all ${report.cores} cores busy (every process on the machine); svc/pg/cannon % = CPU ` +
      `of the service processes (the bare server in its row) / every postgres process / this process ` +
      `(autocannon), in % of ONE core.`,
  );
  console.log('');
  console.log('Bounds:');
  console.log(
    `  argon2id m=${argon2.params.memoryCost} t=${argon2.params.timeCost} p=${argon2.params.parallelism}, ` +
      `${argon2.lanes} in flight: ${argon2.hashesPerSecond} hashes/s (${argon2.hashes} in ${argon2.seconds} s; ` +
      `p50 ${argon2.p50Ms} ms, p99 ${argon2.p99Ms} ms per hash)`,
  );
  console.log(
    `  pgbench refresh-shaped transaction, ${pgbench.clients} clients, ${pgbench.threads} threads, prepared, ` +
      `${pgbench.seconds} s: ${pgbench.txPerSec} tx/s (${pgbench.transactions} transactions, ` +
      `latency average ${pgbench.latencyAverageMs} ms)`,
  );
  console.log(
    `  bare node:http verifier: ${bareMe.reqPerSec} req/s, p50 ${bareMe.p50Ms} ms, p99 ${bareMe.p99Ms} ms`,
  );
  const ofArgon2 = (rate: number | null) =>
    rate !== null && argon2.hashesPerSecond ? ` = ${round(rate / argon2.hashesPerSecond, 3)} x argon2id` : '';
  console.log(
    `  (information, not a bound) bare node:http login on the same database, one read, the hash on niced threads, ` +
      `one durable write: ${bareLogin.reqPerSec} req/s${ofArgon2(bareLogin.reqPerSec)}, p99 ${bareLogin.p99Ms} ms`,
  );
  console.log(
    `  start to first 200, median of ${starts.serviceMs.length}: service (migrated database) ` +
      `${starts.serviceMedianMs} ms [${starts.serviceMs.join(', ')}], minimal Nest app ` +
      `${starts.minimalNestMedianMs} ms [${starts.minimalNestMs.join(', ')}], the minimal app bundled as the ` +
      `service is ${starts.minimalNestBundleMedianMs} ms [${starts.minimalNestBundleMs.join(', ')}] ` +
      `(information only); service peak RSS at ready ` +
      `${show(starts.servicePeakRssAtReadyMb, 'MB')}`,
  );
  for (const i of report.instances)
    console.log(
      `  ${i.name} (pid ${i.pid}): ready ${i.readyMs} ms after spawn on the ${i.readyOn}; ` +
        `peak RSS ${show(i.peakRssMb, 'MB')}, RSS now ${show(i.rssMb, 'MB')}`,
    );
  for (const [n, p] of Object.entries(report.passes)) {
    const rot = p.tokenRefresh.rotation;
    const ex = p.oauth2Code.exchange;
    console.log(
      `  [${n} inst] refresh: ${rot.ok} rotated (${rot.rotatedInWarmup} in the warm-up), ${rot.errors} errors ` +
        `(${rot.reuseDetected} REFRESH_TOKEN_REUSED, ${rot.poolExhausted} pool exhausted), none presented twice; ` +
        `code exchange: ${ex.ok} answered 200, ${ex.errors} errors (${ex.poolExhausted} pool exhausted)`,
    );
  }
  console.log('');
  console.log(
    `Targets: one instance, ${String(report.settings.connections)} connections, ` +
      `${String(report.settings.duration)} s runs, bounds measured in this run on this machine ` +
      `(informational: the exit code only says whether the run worked)`,
  );
  console.log(headlineTable(report.headline));
  console.log('where');
  for (const line of boundDefinitions()) console.log(line);
  console.log('');
  console.log(
    `NOTE: ${report.cores} cores, load average ${report.loadAverageAtStart?.join(' ') ?? '?'} at the start and ` +
      `${report.loadAverageAtEnd?.join(' ') ?? '?'} at the end. autocannon, the service, PostgreSQL and the bounds ` +
      `share them: compare the ratios, and quote figures only from a quiet machine.`,
  );
  for (const w of report.warnings) console.log(`WARNING: ${w}`);
}

export function writeReport(report: Report): string {
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  return relative(ROOT, RESULTS_FILE);
}
