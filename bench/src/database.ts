// The bench database: a fresh bench_<random> database on the DATABASE_URL server (dropped at the
// end) or, without DATABASE_URL, on an embedded PostgreSQL under .data/bench-* (removed at the
// end). Also the SQL the bench runs itself: cloning auth codes for the code-exchange run, and the
// session rows and activity template of the pgbench bound.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { defer, lastResort } from './processes.js';
import { BenchError, log, ROOT, type Settings } from './settings.js';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
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

export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** What the bench uses of the service build's embedded PostgreSQL (src/database/embedded-postgres.ts). */
interface EmbeddedModule {
  startEmbeddedPostgres(options: {
    baseDir: string;
    persistent: boolean;
    log?: (line: string) => void;
  }): Promise<{ url: string; stop(): Promise<void> }>;
}

async function importEmbedded(entry: string): Promise<EmbeddedModule> {
  const file = join(dirname(entry), 'database', 'embedded-postgres.js');
  const mod = (await import(pathToFileURL(file).href)) as Partial<EmbeddedModule>;
  if (typeof mod.startEmbeddedPostgres !== 'function')
    throw new BenchError(`${relative(ROOT, file)} exports no startEmbeddedPostgres`);
  return mod as EmbeddedModule;
}

export interface BenchDatabase {
  url: string;
  label: string;
}

export async function prepareDatabase(settings: Settings): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(5).toString('hex')}`;
  let serverUrl: string;
  let where: string;
  if (settings.databaseUrl) {
    serverUrl = settings.databaseUrl;
    where = `server of DATABASE_URL (${redact(serverUrl)})`;
  } else {
    const dir = join(ROOT, '.data', `bench-${randomBytes(5).toString('hex')}`);
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    lastResort(removeDir);
    defer('remove the embedded data directory', removeDir);
    const { startEmbeddedPostgres } = await importEmbedded(settings.entry);
    const embedded = await startEmbeddedPostgres({ baseDir: dir, persistent: false, log });
    defer('stop the embedded PostgreSQL', () => embedded.stop());
    serverUrl = embedded.url;
    where = `embedded PostgreSQL in ${relative(ROOT, dir)}`;
  }
  await onServer(serverUrl, `CREATE DATABASE "${name}"`);
  defer('drop the bench database', () =>
    onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
  return { url: databaseUrl(serverUrl, name), label: `${where}, database ${name}` };
}

/** A connection of the bench's own, closed at clean-up. */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  defer('close a bench database connection', () => client.end());
  return client;
}

/**
 * Clones an auth code row under new code hashes, as a code of `/oauth2/authorize` (face `oauth2`,
 * no redirect URI bound), unused, valid one hour. Every other column (user, client, tenant,
 * PKCE challenge, ...) is the template's, whatever the schema holds.
 */
export async function cloneAuthCodes(db: pg.Client, templateHash: Buffer, hashes: Buffer[]): Promise<void> {
  const { rowCount } = await db.query(
    `INSERT INTO auth_code
     SELECT (jsonb_populate_record(t, jsonb_build_object(
               'id', gen_random_uuid(), 'code_hash', '\\x' || encode(h, 'hex'), 'face', 'oauth2',
               'redirect_uri', NULL, 'used_at', NULL, 'session_id', NULL,
               'created_at', now(), 'expires_at', now() + interval '1 hour'))).*
     FROM auth_code t, unnest($1::bytea[]) AS h WHERE t.code_hash = $2`,
    [hashes, templateHash],
  );
  if (rowCount !== hashes.length)
    throw new BenchError(`cloning auth codes inserted ${rowCount} of ${hashes.length} rows`);
}

/** What the refresh-shaped pgbench transaction writes: the columns of a real refresh's rows. */
export interface RefreshShape {
  sessions: number;
  actor: string;
  tenantId: string;
  authMethod: string;
  tokenPayloadEnc: string | null;
  userAgent: string | null;
  ipAddressEnc: string | null;
}

/** The pgbench rows' ids: `md5('bench-pgbench-' || n)::uuid`, n = 1..count. */
export const pgbenchSessionId = (n: string): string => `md5('bench-pgbench-' || ${n})::uuid`;

/**
 * Clones the session `sessionId` (a real one, from a login of the bench) `count` times under the
 * ids pgbenchSessionId(1..count), and reads the latest login_activity row of that login as the
 * template of the activity rows the transaction inserts.
 */
export async function prepareRefreshShape(
  db: pg.Client,
  sessionId: string,
  count: number,
): Promise<RefreshShape> {
  const { rowCount } = await db.query(
    `INSERT INTO session
     SELECT (jsonb_populate_record(s, jsonb_build_object('id', ${pgbenchSessionId('n')}))).*
     FROM session s, generate_series(1, $2::int) AS n WHERE s.id = $1`,
    [sessionId, count],
  );
  if (rowCount !== count)
    throw new BenchError(`cloning session ${sessionId} inserted ${rowCount} of ${count} rows`);
  const { rows } = await db.query<{
    actor: string;
    tenant_id: string;
    auth_method: string;
    token_payload_enc: string | null;
    user_agent: string | null;
    ip_address_enc: string | null;
  }>(
    `SELECT a.actor, a.tenant_id, a.auth_method, a.token_payload_enc, a.user_agent, a.ip_address_enc
     FROM login_activity a JOIN session s ON s.user_id = a.actor
     WHERE s.id = $1 ORDER BY a.login_time DESC LIMIT 1`,
    [sessionId],
  );
  const row = rows[0];
  if (!row) throw new BenchError(`no login_activity row for the user of session ${sessionId}`);
  return {
    sessions: count,
    actor: row.actor,
    tenantId: row.tenant_id,
    authMethod: row.auth_method,
    tokenPayloadEnc: row.token_payload_enc,
    userAgent: row.user_agent,
    ipAddressEnc: row.ip_address_enc,
  };
}

/** The argon2 parameters (m, t, p) of the password hashes the service stored for these users. */
export async function storedArgon2Params(
  db: pg.Client,
): Promise<{ memoryCost: number; timeCost: number; parallelism: number }[]> {
  const { rows } = await db.query<{ hash: string }>(
    `SELECT DISTINCT substring(password_hash from '^\\$argon2id\\$v=\\d+\\$[^$]+') AS hash
     FROM user_credential WHERE password_hash LIKE '$argon2id$%'`,
  );
  return rows.map(({ hash }) => {
    const p = Object.fromEntries(
      hash
        .split('$')
        .pop()!
        .split(',')
        .map((kv) => kv.split('=')),
    ) as Record<string, string>;
    return { memoryCost: Number(p.m), timeCost: Number(p.t), parallelism: Number(p.p) };
  });
}
