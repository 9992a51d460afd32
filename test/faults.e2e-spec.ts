import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEncryptionKey } from '../src/config/config.js';
import { createDatabase } from '../src/database/embedded-postgres.js';
import { UsersService } from '../src/identity/users.service.js';
import { loginBody, seedTenant, Seed, STRONG_PASSWORD, unique } from './support/fixtures.js';
import { MailCatcher } from './support/mail-catcher.js';
import { OwnPostgres, OwnRedis } from './support/own-postgres.js';
import { BuiltService, buildServiceInto, call } from './support/built-service.js';
import { createTestApp, freshDatabase, sql, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';
import { until } from './support/wait.js';

/**
 * Faults against the built service (`node dist/server/main.js`, built into a private folder) run as
 * child processes: kill -9, the embedded database's stale pid, Postgres restarted under load, Redis
 * down, SMTP down for 30 s.
 */
let main: string;
let removeBuild: (() => void) | undefined;
const services: BuiltService[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const build = await buildServiceInto('fault-build');
  main = build.main;
  removeBuild = build.remove;
}, 180_000);
afterAll(async () => {
  for (const s of services) await s.stop().catch(() => undefined);
  removeBuild?.();
});

function service(env: Record<string, string>): BuiltService {
  const s = new BuiltService(main, { LOG_LEVEL: 'warn', ADMIN_API_KEY: TEST_ADMIN_KEY, ...env });
  services.push(s);
  return s;
}

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { sid: string; sub: string };

/** Migrates and seeds `databaseUrl` with an in-process app, then closes it (the data stays). */
async function seedDatabase(
  databaseUrl: string,
  key: string,
  users = 0,
): Promise<{ seed: Seed; more: string[] }> {
  const t = await createTestApp({ ENCRYPTION_KEY: key }, { databaseUrl });
  try {
    const seed = await seedTenant(t);
    const more: string[] = [];
    for (let i = 0; i < users; i++) {
      const email = `${unique('mail')}@example.com`;
      await t.app.get(UsersService).createUser({
        email,
        username: email,
        password: STRONG_PASSWORD,
        tenantId: seed.tenant.id,
        role: 'member',
      });
      more.push(email);
    }
    return { seed, more };
  } finally {
    await t.close();
  }
}

describe('kill -9 of one instance in the middle of a load run', () => {
  let db: { url: string; drop(): Promise<void> };
  let checker: TestApp;

  afterAll(async () => {
    await checker?.close();
    await db?.drop();
  });

  it('the other keeps serving, no committed session, user or outbox row is lost, and the restart is clean', async () => {
    db = await freshDatabase();
    const key = generateEncryptionKey();
    const { seed } = await seedDatabase(db.url, key);
    const env = {
      DATABASE_URL: db.url,
      ENCRYPTION_KEY: key,
      RATE_LIMIT_PER_IP: '1000000',
      RATE_LIMIT_PER_ACCOUNT: '1000000',
      RATE_LIMIT_PER_ADDRESS: '1000000',
    };
    const a = service(env);
    const b = service(env);
    await Promise.all([a.start(), b.start()]);

    const sessions: string[] = [];
    const users: string[] = [];
    let mails = 0;
    const failures: string[] = [];
    let aServed = 0;
    let bServed = 0;
    let killed = false;
    let running = true;

    const worker = async (n: number) => {
      for (let i = 0; running; i++) {
        const target = (i + n) % 2 === 0 ? a : b;
        const op = (i + n) % 3;
        let r;
        if (op === 0) {
          r = await call(target.baseUrl, '/auth/login-token', { body: loginBody(seed) });
          if (r.status === 200) sessions.push(claims(r.body!.accessToken as string).sid);
        } else if (op === 1) {
          r = await call(target.baseUrl, '/admin/users', {
            token: TEST_ADMIN_KEY,
            body: { email: `${unique('load')}@example.com`, tenantId: seed.tenant.id, role: 'member' },
          });
          if (r.status === 201) users.push(r.body!.id as string);
        } else {
          r = await call(target.baseUrl, '/auth/forget-password', {
            body: { username: seed.email, client_id: seed.client.clientId, client_secret: seed.clientSecret },
          });
          if (r.status === 204) mails++;
        }
        // An instance that is down refuses or resets the connection (status 0); nothing may answer 5xx or 4xx.
        const ok = r.status >= 200 && r.status < 300;
        if (ok) {
          if (target === b) bServed++;
          else aServed++;
        }
        if (!ok && !(r.status === 0 && target === a && killed)) {
          failures.push(
            `${target === a ? 'a' : 'b'} op${op}: ${r.status} ${JSON.stringify(r.body)} ${r.error ?? ''}`,
          );
        }
      }
    };
    const load = Promise.all([0, 1, 2, 3, 4, 5].map(worker));
    let servedBeforeKill = 0;
    try {
      // The load is under way on both instances, every kind of write has succeeded: kill a.
      await until(
        async () => aServed > 0 && bServed > 0 && sessions.length > 0 && users.length > 0 && mails > 0,
        60_000,
      );
      killed = true;
      servedBeforeKill = bServed;
      await a.kill9();
      // ... and b goes on serving the load without it.
      await until(async () => bServed >= servedBeforeKill + 30, 60_000);
    } finally {
      running = false;
      await load;
    }

    expect(failures).toEqual([]);
    expect(bServed, 'b kept serving after a was killed').toBeGreaterThan(servedBeforeKill);
    expect(sessions.length).toBeGreaterThan(0);
    expect(users.length).toBeGreaterThan(0);
    expect(mails).toBeGreaterThan(0);

    checker = await createTestApp({ ENCRYPTION_KEY: key }, { databaseUrl: db.url });
    const [s] = await sql<{ n: number }>(
      checker,
      `SELECT count(*)::int AS n FROM session WHERE id = ANY($1::uuid[])`,
      [sessions],
    );
    expect(s!.n, 'every session a client got a token for').toBe(new Set(sessions).size);
    const [u] = await sql<{ n: number }>(
      checker,
      `SELECT count(*)::int AS n FROM app_user WHERE id = ANY($1::uuid[])`,
      [users],
    );
    expect(u!.n, 'every user a client got 201 for').toBe(users.length);
    const [o] = await sql<{ n: number }>(
      checker,
      `SELECT count(*)::int AS n FROM notification_outbox WHERE template = 'reset-password'`,
    );
    expect(o!.n, 'an outbox row for every 204').toBeGreaterThanOrEqual(mails);

    // Restart: clean, and the tokens issued before the crash (by either instance) still work on it.
    await a.start();
    const login = await call(a.baseUrl, '/auth/login-token', { body: loginBody(seed) });
    expect(login.status).toBe(200);
    expect((await call(a.baseUrl, '/auth/me', { token: login.body!.accessToken as string })).status).toBe(
      200,
    );
    expect(a.output).not.toMatch(/Start-up failed|ERROR/);
  }, 180_000);
});

describe('the embedded database after kill -9 (no DATABASE_URL)', () => {
  let dir = '';
  const pidFile = () => join(dir, 'pg', 'postmaster.pid');
  const postmasterPid = () => Number(readFileSync(pidFile(), 'utf8').split('\n')[0]);
  /** The parent of a process (`/proc/<pid>/stat`), or undefined when it is gone. */
  const parentOf = (pid: number) => {
    try {
      return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    } catch {
      return undefined;
    }
  };
  /** Not reaped yet (a zombie counts: PostgreSQL's own lock-file check would take it for alive). */
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  /** The processes a postmaster started: its backends and auxiliary processes. */
  const childrenOf = (pid: number) =>
    readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .filter((p) => parentOf(p) === pid);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auth-embedded-'));
    // As root, embedded-postgres runs initdb as a `postgres` user, which must reach the folder.
    chmodSync(dir, 0o755);
  });
  afterAll(() => {
    // A postmaster left running by the "reuse" path is ours: stop it.
    if (existsSync(pidFile()) && alive(postmasterPid())) process.kill(postmasterPid(), 'SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts over a live orphaned postmaster (reuses it) and over a stale postmaster.pid (starts a new one)', async () => {
    const s = service({ AUTH_DATA_DIR: dir, LOG_LEVEL: 'info' });
    await s.start(120_000);
    const tenant = await call(s.baseUrl, '/admin/tenants', {
      token: TEST_ADMIN_KEY,
      body: { key: unique('crash'), name: 'Survives crashes' },
    });
    expect(tenant.status).toBe(201);
    const tenantPath = `/admin/tenants/${tenant.body!.id as string}`;

    // 1. kill -9 of the node process only: its postmaster lives on, and the next start shares it.
    const first = postmasterPid();
    await s.kill9();
    expect(alive(first)).toBe(true);
    await s.start(120_000);
    expect(s.output).toContain('reusing the embedded PostgreSQL');
    expect(postmasterPid()).toBe(first);
    expect((await call(s.baseUrl, tenantPath, { token: TEST_ADMIN_KEY })).status).toBe(200);

    // 2. kill -9 of everything (node, postmaster, backends): postmaster.pid is left behind, stale.
    await s.kill9();
    const backends = childrenOf(first);
    expect(backends.length, 'the postmaster has backends').toBeGreaterThan(0);
    process.kill(first, 'SIGKILL');
    await until(async () => !alive(first), 10_000);
    expect(existsSync(pidFile())).toBe(true);
    // The killed postmaster's backends notice and exit (they hold its shared memory until then).
    await until(async () => backends.every((p) => !alive(p)), 10_000);
    await s.start(120_000);
    expect(postmasterPid()).not.toBe(first);
    expect((await call(s.baseUrl, tenantPath, { token: TEST_ADMIN_KEY })).status).toBe(200);

    // A graceful stop stops the postmaster this run started.
    const second = postmasterPid();
    await s.stop();
    await until(async () => !alive(second), 20_000);
  }, 300_000);
});

describe('Postgres restarted under load', () => {
  const pg = new OwnPostgres();

  afterAll(async () => {
    await pg.destroy();
  });

  it('answers 503 UNAVAILABLE within 5 s while it is down, never hangs, readiness goes red then green, recovers by itself', async () => {
    await pg.init();
    const databaseUrl = await createDatabase(pg.url, 'auth');
    const key = generateEncryptionKey();
    const { seed } = await seedDatabase(databaseUrl, key);
    const s = service({
      DATABASE_URL: databaseUrl,
      ENCRYPTION_KEY: key,
      RATE_LIMIT_PER_IP: '1000000',
      RATE_LIMIT_PER_ACCOUNT: '1000000',
    });
    await s.start();
    const token = (await call(s.baseUrl, '/auth/login-token', { body: loginBody(seed) })).body!
      .accessToken as string;

    const seen: { phase: string; path: string; status: number; code: unknown; ms: number }[] = [];
    let phase = 'up';
    let running = true;
    const worker = async (n: number) => {
      for (let i = 0; running; i++) {
        const me = (i + n) % 2 === 0;
        const path = me ? '/auth/me' : '/auth/login-token';
        const r = me
          ? await call(s.baseUrl, path, { token })
          : await call(s.baseUrl, path, { body: loginBody(seed) });
        seen.push({ phase, path, status: r.status, code: r.body?.code, ms: r.ms });
        if (r.status !== 200) await sleep(50);
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    const answered = (ph: string, path: string, status: number) =>
      seen.filter((r) => r.phase === ph && r.path === path && r.status === status).length;
    // Both kinds of request served while Postgres is up...
    await until(
      async () => answered('up', '/auth/me', 200) > 0 && answered('up', '/auth/login-token', 200) > 0,
    );

    await pg.stop();
    phase = 'down';
    const ready = await call(s.baseUrl, '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', database: 'down' });
    expect(ready.ms).toBeLessThan(5000);
    expect((await call(s.baseUrl, '/health')).status).toBe(200);
    // ... and refused, several times each, while it is down.
    await until(
      async () => answered('down', '/auth/me', 503) >= 3 && answered('down', '/auth/login-token', 503) >= 3,
    );

    await pg.start();
    phase = 'recovering';
    // Requests recover by themselves after Postgres is back.
    try {
      await until(
        async () => {
          const [me, login, rd] = await Promise.all([
            call(s.baseUrl, '/auth/me', { token }),
            call(s.baseUrl, '/auth/login-token', { body: loginBody(seed) }),
            call(s.baseUrl, '/health/ready'),
          ]);
          return me.status === 200 && login.status === 200 && rd.status === 200;
        },
        30_000,
        250,
      );
    } finally {
      running = false;
      await load;
    }

    const errors = seen.filter((r) => r.status !== 200 && r.status !== 503);
    expect(
      errors,
      `answers other than 200 or 503; the service logged:\n${s.output
        .split('\n')
        .filter((l) => !l.includes('WARN'))
        .join('\n')
        .slice(-6000)}`,
    ).toEqual([]);
    const down = seen.filter((r) => r.phase === 'down');
    expect(down.length).toBeGreaterThan(0);
    expect(down.some((r) => r.status === 503)).toBe(true);
    for (const r of seen) {
      expect(r.ms, `${r.path} in phase ${r.phase} answered within 5 s`).toBeLessThan(5000);
      if (r.status !== 200)
        expect({ status: r.status, code: r.code }).toEqual({ status: 503, code: 'UNAVAILABLE' });
    }
    expect(s.output).not.toMatch(/Start-up failed/);
  }, 180_000);
});

describe('Redis down', () => {
  const redis = new OwnRedis();
  let db: { url: string; drop(): Promise<void> } | undefined;

  afterAll(async () => {
    await redis.kill();
    await db?.drop();
  });

  it('keeps serving with local throttling, readiness says "degraded" with 200, and a warning is logged', async () => {
    await redis.start();
    db = await freshDatabase();
    const key = generateEncryptionKey();
    const { seed } = await seedDatabase(db.url, key);
    const s = service({
      DATABASE_URL: db.url,
      ENCRYPTION_KEY: key,
      REDIS_URL: redis.url,
      RATE_LIMIT_PER_IP: '1000000',
      RATE_LIMIT_PER_ACCOUNT: '3',
    });
    await s.start();
    expect((await call(s.baseUrl, '/health/ready')).body).toMatchObject({ status: 'ok', redis: 'ok' });
    expect((await call(s.baseUrl, '/auth/login-token', { body: loginBody(seed) })).status).toBe(200);

    await redis.kill();

    const login = await call(s.baseUrl, '/auth/login-token', { body: loginBody(seed) });
    expect(login.status).toBe(200);
    expect(login.ms).toBeLessThan(5000);
    expect((await call(s.baseUrl, '/auth/me', { token: login.body!.accessToken as string })).status).toBe(
      200,
    );
    const ready = await call(s.baseUrl, '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', database: 'ok', redis: 'degraded' });

    // The per-account limit still holds, counted in this instance's memory.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await call(s.baseUrl, '/auth/login-token', {
        body: loginBody(seed, { password: 'wrong-password-attempt' }),
      });
      expect(r.ms).toBeLessThan(5000);
      statuses.push(r.status);
    }
    expect(statuses[0]).toBe(401);
    expect(statuses).toContain(429);
    expect(s.output).toMatch(/Redis unavailable.*rate limits fall back/);
  }, 120_000);
});

describe('SMTP down for 30 s', () => {
  const catcher = new MailCatcher();
  let db: { url: string; drop(): Promise<void> } | undefined;

  afterAll(async () => {
    await catcher.stop();
    await db?.drop();
  });

  it('delivers every mail queued during the outage once SMTP is back', async () => {
    await catcher.start();
    const port = catcher.port;
    db = await freshDatabase();
    const key = generateEncryptionKey();
    const { seed, more } = await seedDatabase(db.url, key, 3);
    const s = service({
      DATABASE_URL: db.url,
      ENCRYPTION_KEY: key,
      SMTP_URL: catcher.url,
      OUTBOX_POLL_INTERVAL_MS: '200',
      OUTBOX_RETRY_BASE_MS: '100',
      OUTBOX_MAX_ATTEMPTS: '100',
    });
    await s.start();

    await catcher.stop();
    const addresses = [seed.email, ...more];
    for (const username of addresses) {
      const r = await call(s.baseUrl, '/auth/forget-password', {
        body: { username, client_id: seed.client.clientId, client_secret: seed.clientSecret },
      });
      expect(r.status).toBe(204);
    }
    await sleep(30_000);
    expect(catcher.mails).toEqual([]);
    const checker = await createTestApp({ ENCRYPTION_KEY: key }, { databaseUrl: db.url });
    try {
      const pending = await sql<{ attempts: number; status: string }>(
        checker,
        `SELECT attempts, status FROM notification_outbox WHERE template = 'reset-password'`,
      );
      expect(pending).toHaveLength(addresses.length);
      for (const row of pending) {
        expect(row.status).not.toBe('sent');
        expect(row.attempts, 'retried during the outage').toBeGreaterThan(1);
      }

      await catcher.start(port);
      await Promise.all(addresses.map((a) => catcher.waitFor((m) => m.to.includes(a), 90_000)));
      for (const a of addresses) expect(catcher.for(a)).toHaveLength(1);
      await until(async () => {
        const [row] = await sql<{ n: number }>(
          checker,
          `SELECT count(*)::int AS n FROM notification_outbox WHERE template = 'reset-password' AND status = 'sent'`,
        );
        return row!.n === addresses.length;
      }, 10_000);
    } finally {
      await checker.close();
    }
  }, 180_000);
});
