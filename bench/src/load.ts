// Load with autocannon: one autocannon per base URL at once (connections and any fixed rate split
// between them), req/s summed, p50/p99 over every answer's latency; plus who used the CPU.
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon, { type Instance, type Options, type Result } from 'autocannon';
import { checkInterrupted, defer, type Deferred, wasInterrupted } from './processes.js';
import { round } from './settings.js';

/** What one run hits: the base URLs and the pids whose CPU counts as "the service". */
export interface Targets {
  bases: string[];
  pids: number[];
}

/** autocannon options for one base URL (connections, duration and rate are added by drive). */
export type Spec = (base: string) => Pick<Options, 'url' | 'method' | 'headers' | 'requests'>;

export interface RunResult {
  instances: number;
  /** autocannon connections; null for an open-loop run (pace). */
  connections: number | null;
  overallRate?: number;
  reqPerSec: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Share of all cores busy during the run (every process on the machine). */
  cpuBusyPercent: number | null;
  /** CPU in % of ONE core (like top): the service pids, every postgres process, this process. */
  cpuPercentOfOneCore: { service: number | null; postgres: number | null; loadGenerator: number | null };
  durationSeconds: number;
}

function runCannon(options: Options, samples: number[]): Promise<Result> {
  return new Promise((resolveRun, reject) => {
    let running: Deferred | undefined = undefined;
    const cannon: Instance = autocannon(options, (err, result) => {
      running?.forget();
      if (err) reject(err);
      else resolveRun(result);
    });
    running = defer('stop a load generator', () => cannon.stop());
    cannon.on('response', (_client, _status, _bytes, ms) => samples.push(ms));
  });
}

/** The i-th of `parts` near-equal shares of `total` (at least 1). */
const share = (total: number, parts: number, i: number) =>
  Math.max(1, Math.floor(total / parts) + (i < total % parts ? 1 : 0));

/** Idle and total jiffies of all cores (null off Linux). */
function cpuTimes(): { idle: number; total: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3]! + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** CPU ticks (user + system, 1/100 s) used so far by a process; 0 when unreadable or gone. */
function processTicks(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** CPU ticks per PostgreSQL process on this machine (the DATABASE_URL server or the embedded one). */
function postgresTicks(): Map<string, number> | null {
  let names: string[];
  try {
    names = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return null;
  }
  const ticks = new Map<string, number>();
  for (const pid of names) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') ticks.set(pid, processTicks(pid));
    } catch {
      // gone
    }
  }
  return ticks;
}

interface CpuSnapshot {
  at: number;
  busy: { idle: number; total: number } | null;
  service: number;
  postgres: Map<string, number> | null;
  self: NodeJS.CpuUsage;
}

function snapshot(pids: number[]): CpuSnapshot {
  return {
    at: performance.now(),
    busy: cpuTimes(),
    service: pids.reduce((acc, pid) => acc + processTicks(pid), 0),
    postgres: postgresTicks(),
    self: process.cpuUsage(),
  };
}

function cpuBetween(a: CpuSnapshot, b: CpuSnapshot) {
  const seconds = (b.at - a.at) / 1000;
  const pct = (ticks: number | null) => (ticks === null || !(seconds > 0) ? null : round(ticks / seconds, 0));
  let postgres: number | null = null;
  if (a.postgres && b.postgres) {
    postgres = 0;
    for (const [pid, t] of b.postgres) postgres += Math.max(0, t - (a.postgres.get(pid) ?? 0));
  }
  const selfUs = b.self.user + b.self.system - a.self.user - a.self.system;
  const busy =
    a.busy && b.busy && b.busy.total > a.busy.total
      ? round(100 * (1 - (b.busy.idle - a.busy.idle) / (b.busy.total - a.busy.total)), 0)
      : null;
  return {
    cpuBusyPercent: busy,
    cpuPercentOfOneCore: {
      service: pct(b.service - a.service),
      postgres: pct(postgres),
      loadGenerator: seconds > 0 ? round(selfUs / 1e4 / seconds, 0) : null,
    },
  };
}

const percentile = (sorted: number[], q: number): number | null =>
  sorted.length === 0
    ? null
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

export interface DriveOptions {
  connections: number;
  duration: number;
  overallRate?: number;
}

/** One measured run (no warm-up). */
export async function drive(targets: Targets, spec: Spec, options: DriveOptions): Promise<RunResult> {
  checkInterrupted();
  const samples: number[] = [];
  const before = snapshot(targets.pids);
  const results = await Promise.all(
    targets.bases.map((base, i) => {
      const opts: Options = {
        ...spec(base),
        connections: share(options.connections, targets.bases.length, i),
        pipelining: 1,
        timeout: 30,
        duration: options.duration,
      };
      if (options.overallRate) opts.overallRate = share(options.overallRate, targets.bases.length, i);
      return runCannon(opts, samples);
    }),
  );
  const cpu = cpuBetween(before, snapshot(targets.pids));
  samples.sort((a, b) => a - b);
  const statusCodes: Record<string, number> = {};
  for (const r of results)
    for (const [status, { count }] of Object.entries(r.statusCodeStats))
      statusCodes[status] = (statusCodes[status] ?? 0) + count;
  const sum = (pick: (r: Result) => number) => results.reduce((acc, r) => acc + pick(r), 0);
  return {
    instances: targets.bases.length,
    connections: options.connections,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
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
    ...cpu,
    durationSeconds: Math.max(...results.map((r) => r.duration)),
  };
}

export interface MeasureOptions {
  warmup: number;
  duration: number;
  connections: number;
  /** Before the warm-up run (e.g. fill a pool). */
  beforeWarmup?: () => Promise<void>;
  /** Between the warm-up and the measured run. */
  beforeMeasured?: () => Promise<void>;
}

/** An unmeasured warm-up (JIT, pools), then the measured run with the same connections. */
export async function measure(targets: Targets, spec: Spec, options: MeasureOptions): Promise<RunResult> {
  if (options.warmup > 0) {
    await options.beforeWarmup?.();
    await drive(targets, spec, { connections: options.connections, duration: options.warmup });
  }
  await options.beforeMeasured?.();
  return drive(targets, spec, { connections: options.connections, duration: options.duration });
}

/**
 * Open-loop load at a fixed rate: one GET every 1000/rate ms (round-robin over the bases) whatever
 * the answers, each timed from its PLANNED send time. A slow answer delays no later request, so
 * the tail is what a client arriving at that rate sees (a closed-loop generator slows down with the
 * service and under-reports it). For a modest rate; the requests go over keep-alive sockets.
 */
export async function pace(
  targets: Targets,
  request: { path: string; headers: Record<string, string> },
  options: { rate: number; duration: number },
): Promise<RunResult> {
  checkInterrupted();
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const running = defer('stop the paced load', () => agent.destroy());
  const samples: number[] = [];
  const statusCodes: Record<string, number> = {};
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  const one = (base: string, planned: number) =>
    new Promise<void>((done) => {
      let settled = false;
      const settle = (outcome: number | 'error' | 'timeout') => {
        if (settled) return;
        settled = true;
        if (outcome === 'error') errors++;
        else if (outcome === 'timeout') timeouts++;
        else {
          samples.push(performance.now() - planned);
          statusCodes[outcome] = (statusCodes[outcome] ?? 0) + 1;
          if (outcome < 200 || outcome > 299) non2xx++;
        }
        done();
      };
      const req = httpRequest(
        `${base}${request.path}`,
        { method: 'GET', headers: request.headers, agent, timeout: 30_000 },
        (res) => {
          res.on('error', () => settle('error'));
          res.on('end', () => settle(res.statusCode ?? 0));
          res.on('close', () => settle('error')); // cut off before its end
          res.resume();
        },
      );
      req.on('timeout', () => {
        settle('timeout');
        req.destroy();
      });
      req.on('error', () => settle('error'));
      req.end();
    });

  const before = snapshot(targets.pids);
  const interval = 1000 / options.rate;
  const total = Math.round(options.rate * options.duration);
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total && !wasInterrupted(); i++) {
    const planned = start + i * interval;
    const wait = planned - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(one(targets.bases[i % targets.bases.length]!, planned));
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuBetween(before, snapshot(targets.pids));
  await running.close();
  samples.sort((a, b) => a - b);
  return {
    instances: targets.bases.length,
    connections: null,
    overallRate: options.rate,
    reqPerSec: round(samples.length / seconds, 1),
    p50Ms: round(percentile(samples, 0.5), 2),
    p99Ms: round(percentile(samples, 0.99), 2),
    requests: samples.length,
    non2xx,
    errors,
    timeouts,
    statusCodes,
    ...cpu,
    durationSeconds: round(seconds, 2) ?? options.duration,
  };
}
