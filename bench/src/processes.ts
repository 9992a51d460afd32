// Child processes and clean-up. Everything the bench starts (service instances, helper children,
// databases, connections, load generators) is registered here and torn down once, in reverse
// order, on every exit path: normal end, failure, Ctrl-C / SIGTERM / SIGHUP.
import { ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchError, ROOT, round } from './settings.js';

interface Closer {
  label: string;
  close: () => Promise<void> | void;
}

const closers: Closer[] = [];
const children = new Set<ChildProcess>();
/** Synchronous last resorts for process 'exit' (a second Ctrl-C): kill children, remove folders. */
const lastResorts = new Set<() => void>();
let interrupted = false;
let cleanupPromise: Promise<string[]> | null = null;

export const alive = (child: ChildProcess | null | undefined): boolean =>
  Boolean(child) && child!.exitCode === null && child!.signalCode === null;

/** Throws once a signal asked to stop: nothing new is started after Ctrl-C. */
export function checkInterrupted(): void {
  if (interrupted) throw new BenchError('interrupted');
}

export const wasInterrupted = (): boolean => interrupted;

export interface Deferred {
  /** Closes it now (once) instead of at clean-up. */
  close(): Promise<void>;
  /** It ended by itself: nothing to do at clean-up. */
  forget(): void;
}

/** Registers something to close at clean-up (closed in reverse order of registration). */
export function defer(label: string, close: () => Promise<void> | void): Deferred {
  const closer: Closer = { label, close };
  closers.push(closer);
  const forget = () => {
    const i = closers.indexOf(closer);
    if (i >= 0) closers.splice(i, 1);
  };
  return {
    forget,
    async close() {
      if (!closers.includes(closer)) return;
      forget();
      await close();
    },
  };
}

export function lastResort(action: () => void): () => void {
  lastResorts.add(action);
  return () => lastResorts.delete(action);
}

/** Waits for a child to exit; SIGKILL after `ms`. */
export function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (!alive(child)) return Promise.resolve();
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit();
    });
  });
}

/** SIGTERM, then SIGKILL after `ms`. */
export async function stopChild(child: ChildProcess, ms = 10_000): Promise<void> {
  if (alive(child)) child.kill('SIGTERM');
  await waitExit(child, ms);
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Closes everything still open; answers the problems met on the way (never throws). */
export function cleanup(): Promise<string[]> {
  cleanupPromise ??= (async () => {
    const problems: string[] = [];
    // Signals first and synchronously: they reach the children even if this process is cut short.
    for (const child of children) if (alive(child)) child.kill('SIGTERM');
    while (closers.length > 0) {
      const closer = closers.pop()!;
      try {
        await closer.close();
      } catch (err) {
        problems.push(`${closer.label}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await Promise.all([...children].map((child) => waitExit(child, 10_000)));
    return problems;
  })();
  return cleanupPromise;
}

/** Signal handlers: the first signal cleans up and exits; a second one exits at once. */
export function installSignalHandlers(): void {
  process.on('exit', () => {
    for (const child of children) if (alive(child)) child.kill('SIGKILL');
    for (const action of lastResorts) action();
  });
  const signals: [NodeJS.Signals, number][] = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ];
  for (const [signal, code] of signals) {
    process.on(signal, () => {
      if (interrupted) process.exit(code);
      interrupted = true;
      console.error(`\n[bench] ${signal}: stopping and cleaning up (send it again to force)`);
      void cleanup().then((problems) => {
        for (const p of problems) console.error(`[bench] clean-up problem: ${p}`);
        process.exit(code);
      });
    });
  }
}

/** The last lines printed by the service processes, shown when something breaks. */
export const serviceOutput: string[] = [];

function keepOutput(name: string, chunk: Buffer): void {
  const lines = chunk
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => `[${name}] ${line}`);
  serviceOutput.push(...lines);
  if (serviceOutput.length > 40) serviceOutput.splice(0, serviceOutput.length - 40);
}

export interface Started {
  name: string;
  child: ChildProcess;
  base: string;
  /** Spawn to the first 200 of the readiness path, in ms. */
  readyMs: number;
}

/**
 * Spawns `node <script>` and polls `GET <readyPath>` every 10 ms until it answers 200. The time
 * is from just before the spawn to that first 200: node start-up, module loading, everything the
 * program does before it listens and answers.
 */
export async function startHttpChild(options: {
  name: string;
  script: string;
  port: number;
  env: NodeJS.ProcessEnv;
  readyPath: string;
  timeoutMs?: number;
}): Promise<Started> {
  checkInterrupted();
  const base = `http://127.0.0.1:${options.port}`;
  const t0 = performance.now();
  const child = track(
    spawn(process.execPath, [options.script], {
      cwd: ROOT,
      env: { ...options.env, PORT: String(options.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  child.stdout!.on('data', (chunk: Buffer) => keepOutput(options.name, chunk));
  child.stderr!.on('data', (chunk: Buffer) => keepOutput(options.name, chunk));
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    checkInterrupted();
    if (!alive(child))
      throw new BenchError(`${options.name} exited during start-up (${child.exitCode ?? child.signalCode})`);
    try {
      const res = await fetch(`${base}${options.readyPath}`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200)
        return { name: options.name, child, base, readyMs: round(performance.now() - t0, 0)! };
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  child.kill('SIGKILL');
  throw new BenchError(`${options.name} did not answer GET ${options.readyPath} = 200 in time`);
}

/**
 * Forks a compiled helper of bench/src/children with an IPC channel, sends it `message` and
 * answers its first reply. The child exits when this process goes away (its IPC channel closes).
 */
export async function forkHelper<Reply>(
  script: string,
  message: unknown,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; reply: Reply }> {
  checkInterrupted();
  const child = track(fork(script, [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const reply = await new Promise<Reply>((resolveReply, reject) => {
    child.once('message', (m) => resolveReply(m as Reply));
    child.once('exit', (code, signal) =>
      reject(new BenchError(`${script} exited before answering (${code ?? signal})`)),
    );
    child.send(message as object);
  });
  return { child, reply };
}

/** Peak (VmHWM) and current (VmRSS) resident set of a process, in MB; null off Linux. */
export function memoryOf(pid: number | undefined): { peakRssMb: number | null; rssMb: number | null } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { peakRssMb: round(kb('VmHWM') / 1024, 1), rssMb: round(kb('VmRSS') / 1024, 1) };
  } catch {
    return { peakRssMb: null, rssMb: null };
  }
}
