import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freshDatabase } from './support/test-app.js';
import { until } from './support/wait.js';
import { reachableRedisUrl } from './support/redis.js';
import { MailCatcher } from './support/mail-catcher.js';
import { BuiltService, buildServiceInto, call, CallResult, randomIp } from './support/built-service.js';
import { generateEncryptionKey } from '../src/config/config.js';

/**
 * Scale-out (issue 9, part 1): two instances of the BUILT service (child processes, compiled into
 * a private folder under .data) on one fresh Postgres database and, when a Redis answers, one Redis
 * under a unique key prefix. TRUST_PROXY=true lets each test pick its client address
 * (X-Forwarded-For): only the throttling test shares one; every other request comes from a random
 * address, so the small RATE_LIMIT_PER_IP applies to the throttling test alone.
 */
const redisUrl = await reachableRedisUrl();
const PER_IP = 6;
const REVOCATION_DEADLINE_MS = Number(process.env.REVOCATION_DEADLINE_MS ?? 1_000);

describe('two processes of the built service on one database', () => {
  let build: Awaited<ReturnType<typeof buildServiceInto>> | undefined;
  let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  const mail = new MailCatcher();
  const instances: BuiltService[] = [];
  let a: BuiltService;
  let b: BuiltService;
  const adminKey = randomBytes(24).toString('base64url');
  const suffix = randomBytes(4).toString('hex');
  let tenantId = '';
  const clientId = `mp-client-${suffix}`;
  const clientSecret = randomBytes(32).toString('base64url');
  const password = 'Violet-Harbour-Lantern-42';
  const users: string[] = [];
  const killAll = () => instances.forEach((i) => i.killNow());
  /** The reset-password rows of the outbox, read straight from the shared database. */
  const outboxRows = async (): Promise<{ status: string; attempts: number }[]> => {
    const client = new pg.Client({ connectionString: db!.url });
    await client.connect();
    try {
      const res = await client.query(
        `SELECT status, attempts FROM notification_outbox WHERE template = 'reset-password'`,
      );
      return res.rows as { status: string; attempts: number }[];
    } finally {
      await client.end();
    }
  };

  const admin = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const res = await call(a.baseUrl, path, { body, token: adminKey, ip: randomIp() });
    if (res.status !== 201)
      throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body!;
  };
  const login = (on: BuiltService, email: string, ip = randomIp()): Promise<CallResult> =>
    call(on.baseUrl, '/auth/login-token', {
      body: { client_id: clientId, client_secret: clientSecret, username: email, password },
      ip,
    });
  const tokensOf = (res: CallResult): { accessToken: string; refreshToken: string } => {
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { accessToken: string; refreshToken: string };
  };

  beforeAll(async () => {
    process.once('exit', killAll);
    build = await buildServiceInto('mp-build');
    if (build.warnings)
      console.warn(`tsc reported errors (the emitted service is used anyway):\n${build.warnings}`);
    db = await freshDatabase();
    await mail.start();
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      ADMIN_API_KEY: adminKey,
      ENCRYPTION_KEY: generateEncryptionKey(),
      // One public address for both, as behind a load balancer (it is also the tokens' `iss`).
      PUBLIC_URL: 'http://localhost:8080',
      TRUST_PROXY: 'true',
      RATE_LIMIT_PER_IP: String(PER_IP),
      RATE_LIMIT_PER_ACCOUNT: '1000000',
      RATE_LIMIT_PER_ADDRESS: '1000000',
      SMTP_URL: mail.url,
      MAIL_FROM: 'auth@example.com',
      ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `mp-${suffix}:` } : {}),
    };
    a = new BuiltService(build.main, env);
    b = new BuiltService(build.main, env);
    instances.push(a, b);
    // One after the other: both would run the migrations at once otherwise (they must cope, but
    // that is the fault suite's business), and the machine is small.
    await a.start();
    await b.start();

    const tenant = await admin('/admin/tenants', { key: `mp-${suffix}`, name: 'Multi-process tenant' });
    tenantId = tenant.id as string;
    await admin('/admin/roles', { tenantId, name: 'member', permissions: ['ViewProfile'] });
    await admin('/admin/clients', {
      clientId,
      clientSecret,
      name: 'Multi-process client',
      tenantId,
      redirectUrls: ['https://app.example.com/callback'],
    });
    for (let i = 0; i < 21; i++) {
      const email = `mp-${suffix}-${i}@example.com`;
      await admin('/admin/users', { email, username: email, password, tenantId, role: 'member' });
      users.push(email);
    }
  }, 600_000);

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') {
      for (const [name, i] of [
        ['A', a],
        ['B', b],
      ] as const) {
        console.error(`--- instance ${name} output (tail) ---\n${i?.output.slice(-3000) ?? ''}`);
      }
    }
  });

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    process.removeListener('exit', killAll);
    await mail.stop();
    await db?.drop();
    build?.remove();
  }, 120_000);

  it('accepts a token issued by one instance on the other', async () => {
    const fromA = tokensOf(await login(a, users[0]!));
    const fromB = tokensOf(await login(b, users[0]!));
    const onB = await call(b.baseUrl, '/auth/me', { token: fromA.accessToken, ip: randomIp() });
    expect(onB.status).toBe(200);
    expect(onB.body).toMatchObject({ email: users[0] });
    const onA = await call(a.baseUrl, '/auth/me', { token: fromB.accessToken, ip: randomIp() });
    expect(onA.status).toBe(200);
    // The refresh token of one rotates on the other.
    const refreshed = await call(b.baseUrl, '/auth/token-refresh', {
      body: { refreshToken: fromA.refreshToken },
      ip: randomIp(),
    });
    expect(refreshed.status).toBe(200);
  });

  it('serves, from the bundle, the OpenAPI document of openapi.json and Swagger UI with its assets', async () => {
    const committed = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8')) as {
      paths: unknown;
      components: unknown;
    };
    const served = await fetch(`${a.baseUrl}/api-json`);
    expect(served.status).toBe(200);
    const doc = (await served.json()) as typeof committed;
    expect(doc.paths).toEqual(committed.paths);
    expect(doc.components).toEqual(committed.components);
    const page = await fetch(`${a.baseUrl}/api`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
    for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js']) {
      const res = await fetch(`${a.baseUrl}/api/${asset}`);
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(10_000);
    }
  });

  it(`refuses on the other instance, within ${REVOCATION_DEADLINE_MS} ms, a token revoked on one (POST /logout)`, async () => {
    for (const [issuer, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const tokens = tokensOf(await login(issuer, users[1]!));
      expect(
        (await call(other.baseUrl, '/auth/me', { token: tokens.accessToken, ip: randomIp() })).status,
      ).toBe(200);
      const out = await call(issuer.baseUrl, '/logout', {
        body: { refreshToken: tokens.refreshToken },
        token: tokens.accessToken,
        ip: randomIp(),
      });
      expect(out.status).toBe(200);
      const revokedAt = Date.now();
      let last: CallResult | undefined;
      while (Date.now() - revokedAt <= REVOCATION_DEADLINE_MS) {
        last = await call(other.baseUrl, '/auth/me', { token: tokens.accessToken, ip: randomIp() });
        if (last.status === 401) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      const latency = Date.now() - revokedAt;
      expect(last?.status, `still accepted ${latency} ms after the logout`).toBe(401);
      console.log(`revocation seen by the other instance after <= ${latency} ms`);
      expect(last?.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
      // ... and stays refused; the refresh token is dead on both.
      const refresh = await call(other.baseUrl, '/auth/token-refresh', {
        body: { refreshToken: tokens.refreshToken },
        ip: randomIp(),
      });
      expect(refresh.status).toBe(401);
    }
  });

  it('gives exactly one success to two concurrent refreshes of one refresh token on different instances (100 times)', async () => {
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 100; round++) {
      // Reuse detection revokes the family of the loser's token: each round starts a new session.
      const { refreshToken } = tokensOf(await login(round % 2 ? a : b, users[2]!));
      const [first, second] = await Promise.all([
        call(a.baseUrl, '/auth/token-refresh', { body: { refreshToken }, ip: randomIp() }),
        call(b.baseUrl, '/auth/token-refresh', { body: { refreshToken }, ip: randomIp() }),
      ]);
      const statuses = [first.status, second.status].sort();
      const key = `${statuses.join('+')} ${[first, second].map((r) => (r.body?.code as string) ?? '').join(',')}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      expect(statuses, `round ${round}: ${JSON.stringify([first.body, second.body])}`).toEqual([200, 401]);
      const loser = first.status === 401 ? first : second;
      expect(loser.body).toMatchObject({ statusCode: 401 });
    }
    console.log(`concurrent refreshes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  }, 600_000);

  it('sends each outbox mail once: 20 forgot-password mails over both instances, 20 deliveries', async () => {
    const targets = users.slice(1, 21);
    expect(targets).toHaveLength(20);
    await Promise.all(
      targets.map(async (email, i) => {
        const res = await call((i % 2 ? a : b).baseUrl, '/auth/forget-password', {
          body: { username: email, client_id: clientId, client_secret: clientSecret },
          ip: randomIp(),
        });
        expect(res.status, JSON.stringify(res.body)).toBe(204);
      }),
    );
    const mine = () => mail.mails.filter((m) => m.to.some((to) => targets.includes(to)));
    await until(async () => mine().length >= 20, 60_000, 200);
    // Every row marked sent after exactly one claim (a claim counts an attempt): a duplicate, a
    // second instance sending the same row, would need a second claim. No waiting for one to show up.
    await until(
      async () => {
        const rows = await outboxRows();
        return rows.length === 20 && rows.every((r) => r.status === 'sent') && rows;
      },
      60_000,
      200,
    );
    expect((await outboxRows()).map((r) => r.attempts)).toEqual(Array(20).fill(1));
    const delivered = mine();
    expect(delivered).toHaveLength(20);
    expect(new Set(delivered.map((m) => m.to.join(','))).size).toBe(20);
    expect(new Set(delivered.map((m) => m.to[0])).size).toBe(20);
  }, 120_000);

  it.skipIf(!redisUrl)(
    `shares the throttling limit between instances through Redis (RATE_LIMIT_PER_IP=${PER_IP}: the next request is 429 on either)`,
    async () => {
      const ip = randomIp();
      const body = {
        client_id: clientId,
        client_secret: clientSecret,
        username: users[0],
        password: 'wrong-password',
      };
      for (let i = 0; i < PER_IP; i++) {
        const res = await call((i % 2 ? b : a).baseUrl, '/auth/login-token', { body, ip });
        expect(res.status, `request ${i + 1} of ${PER_IP}: ${JSON.stringify(res.body)}`).toBe(401);
      }
      for (const on of [a, b]) {
        const res = await call(on.baseUrl, '/auth/login-token', { body, ip });
        expect(res.status, JSON.stringify(res.body)).toBe(429);
        expect(res.body).toMatchObject({ statusCode: 429, code: 'TOO_MANY_REQUESTS' });
        expect(res.headers?.get('retry-after')).toMatch(/^\d+$/);
      }
      // Another address is not limited.
      expect((await call(b.baseUrl, '/auth/login-token', { body, ip: randomIp() })).status).toBe(401);
    },
    60_000,
  );
});
