import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../../src/database/embedded-postgres.js';

const ROOT = resolve(import.meta.dirname, '../..');

const run = (args: string[]) =>
  new Promise<{ failed: boolean; output: string }>((done) =>
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      done({ failed: Boolean(err), output: `${err?.message ?? ''}\n${stdout}${stderr}` }),
    ),
  );

/**
 * Builds the service as `npm run build:server` does, into a private folder under .data (never
 * into dist/, which other people may be running): tsc, then the bundle (scripts/bundle.mjs).
 * Answers the bundle's main.js, the file `npm run start:prod` runs. A type error elsewhere in the
 * tree does not stop the emit; it is reported as a warning as long as tsc wrote main.js.
 */
export async function buildServiceInto(
  prefix: string,
): Promise<{ main: string; remove(): void; warnings: string }> {
  const outDir = join(ROOT, '.data', `${prefix}-${randomBytes(4).toString('hex')}`);
  const remove = () => rmSync(outDir, { recursive: true, force: true });
  const tsc = await run([
    join(ROOT, 'node_modules/typescript/bin/tsc'),
    '-p',
    'tsconfig.build.json',
    '--outDir',
    outDir,
  ]);
  if (!existsSync(join(outDir, 'src/main.js'))) {
    remove();
    throw new Error(`tsc wrote no ${join(outDir, 'src/main.js')}: ${tsc.output}`);
  }
  const bundled = await run([join(ROOT, 'scripts/bundle.mjs'), outDir]);
  const main = join(outDir, 'server/main.js');
  if (bundled.failed || !existsSync(main)) {
    remove();
    throw new Error(`the bundle failed: ${bundled.output}`);
  }
  return { main, remove, warnings: tsc.failed ? tsc.output : '' };
}

/**
 * One instance of the built service as a child process (own process group) on a free loopback
 * port, with only the environment given plus PATH and HOME: no DATABASE_URL leaks in from the
 * test runner's environment.
 */
export class BuiltService {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  output = '';
  port = 0;

  constructor(
    private readonly main: string,
    private readonly env: Record<string, string>,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and waits until /health/ready answers 200 (or throws when it exits first). */
  async start(readyWithinMs = 120_000): Promise<void> {
    this.port = this.port || (await freePort());
    const child = spawn(process.execPath, [this.main], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        ...this.env,
        PORT: String(this.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    let gone = false;
    this.exited = new Promise((done) =>
      child.once('exit', () => {
        gone = true;
        done();
      }),
    );
    const deadline = Date.now() + readyWithinMs;
    while (Date.now() < deadline) {
      if (gone) throw new Error(`the service exited during start-up:\n${this.output.slice(-4000)}`);
      const status = await fetch(`${this.baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`the service was not ready within ${readyWithinMs} ms:\n${this.output.slice(-4000)}`);
  }

  /** `kill -9` of the node process only (what it spawned, e.g. an embedded Postgres, lives on). */
  async kill9(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL of the whole process group after `graceMs`. Safe to call twice. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Synchronous last resort (process 'exit'): SIGKILL of the group. */
  killNow(): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export interface CallResult {
  status: number;
  body: Record<string, unknown> | undefined;
  headers: Headers | undefined;
  /** Milliseconds until the answer (or the failure). */
  ms: number;
  error?: string;
}

/** fetch with a deadline and an optional client IP (X-Forwarded-For, for TRUST_PROXY=true). */
export async function call(
  baseUrl: string,
  path: string,
  init: { method?: string; body?: unknown; token?: string; ip?: string; timeoutMs?: number } = {},
): Promise<CallResult> {
  const started = Date.now();
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.ip ? { 'x-forwarded-for': init.ip } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    let body: Record<string, unknown> | undefined;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body, headers: res.headers, ms: Date.now() - started };
  } catch (err) {
    return {
      status: 0,
      body: undefined,
      headers: undefined,
      ms: Date.now() - started,
      error: (err as Error).message,
    };
  }
}

/** A random client address in 10/8, so requests do not share one per-IP rate limit. */
export function randomIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}
