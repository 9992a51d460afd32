import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox, sealedAt } from '../src/common/crypto/secret-box.js';
import { createTestApp, sql, TestApp, TEST_ADMIN_KEY } from './support/test-app.js';
import { loginBody, seedTenant, Seed, STRONG_PASSWORD } from './support/fixtures.js';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';

const DAY = 86_400_000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

interface Activity {
  id: string;
  actor: string;
  tenantId: string;
  loginTime: string;
  tokenPayload: string | null;
  loginType: string;
  authMethod: string;
  deviceInfo: string | null;
  ipAddress: string | null;
}

/** The test's own period keys (an independent oracle for the SQL bucketing). */
function periodKey(range: 'daily' | 'weekly' | 'monthly', iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (range === 'daily') return iso.slice(0, 10);
  if (range === 'monthly') return `${pad(d.getUTCMonth() + 1)}-${d.getUTCFullYear()}`;
  // ISO 8601 week: the week (Monday first) holding the year's first Thursday is week 1.
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - dow); // the Thursday of this week decides the year
  const year = day.getUTCFullYear();
  const week = Math.ceil(((day.getTime() - Date.UTC(year, 0, 1)) / DAY + 1) / 7);
  return `${year}-W${pad(week)}`;
}

describe('login activity reports (API.md section 6)', () => {
  let t: TestApp;
  /** Tenant A: a viewer with ViewLoginActivity and a plain member. */
  let a: Seed;
  let viewer: { accessToken: string; refreshToken: string };
  /** Tenant B, whose rows tenant A must never see. */
  let b: Seed;
  let bViewer: { accessToken: string; refreshToken: string };
  let box: SecretBox;

  const get = (path: string, token = viewer.accessToken) => t.http.get(path).set(bearer(token));
  const list = async (filter?: unknown, token = viewer.accessToken): Promise<Activity[]> => {
    const req = get('/login-activity', token);
    const res = filter === undefined ? await req : await req.query({ filter: JSON.stringify(filter) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const count = async (where?: unknown): Promise<number> => {
    const req = get('/login-activity/count');
    const res = where === undefined ? await req : await req.query({ where: JSON.stringify(where) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.count;
  };

  /** A row written straight into the table, at a time the test chooses (sealed like the recorder does). */
  const insertRow = async (row: {
    tenantId: string;
    actor: string;
    loginType: string;
    authMethod?: string;
    time: Date;
  }): Promise<string> => {
    const id = randomUUID();
    const [inserted] = await sql<{ id: string }>(
      t,
      `INSERT INTO login_activity (id, actor, tenant_id, login_time, token_payload_enc, login_type, auth_method,
                                   device_info, user_agent, ip_address_enc)
       VALUES ($8, $1, $2, $3, $4, $5, $6, NULL, NULL, $7) RETURNING id`,
      [
        row.actor,
        row.tenantId,
        row.time,
        box.encrypt(
          JSON.stringify({ sub: row.actor, tid: row.tenantId }),
          sealedAt('login_activity', 'token_payload_enc', id),
        ),
        row.loginType,
        row.authMethod ?? 'PASSWORD',
        box.encrypt('198.51.100.9', sealedAt('login_activity', 'ip_address_enc', id)),
        id,
      ],
    );
    return inserted!.id;
  };

  beforeAll(async () => {
    t = await createTestApp();
    box = t.app.get(SecretBox);
    a = await seedTenant(t, { permissions: ['ViewLoginActivity'] });
    b = await seedTenant(t, { permissions: ['ViewLoginActivity'] });
    viewer = expectTokenResponse(
      await t.http.post('/auth/login-token').set('device_id', 'ios-4f2a').send(loginBody(a)),
    );
    bViewer = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(b)));
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('the rows every login path writes', () => {
    it('records ACCESS, RELOGIN (refresh and tenant switch) and LOGOUT with tenant, method, device and IP', async () => {
      // A member of A who also belongs to B: log in, refresh, switch to B, log out.
      const email = `multi-${Date.now()}@example.com`;
      const { user } = await a.provisioning.users.createUser({
        email,
        username: `multi-${Date.now()}`,
        password: STRONG_PASSWORD,
        tenantId: a.tenant.id,
        role: 'member',
      });
      await a.provisioning.memberships.addUserToTenant(user.id, { tenantId: b.tenant.id, role: 'member' });
      const login = expectTokenResponse(
        await t.http
          .post('/auth/login-token')
          .set('device_id', 'android-77')
          .send(loginBody(a, { username: email })),
      );
      const refreshed = expectTokenResponse(
        await t.http.post('/auth/token-refresh').send({ refreshToken: login.refreshToken }),
      );
      const switched = expectTokenResponse(
        await t.http
          .post('/auth/switch-token')
          .set(bearer(refreshed.accessToken))
          .send({ refreshToken: refreshed.refreshToken, tenantId: b.tenant.id }),
      );
      const out = await t.http
        .post('/logout')
        .set(bearer(switched.accessToken))
        .send({ refreshToken: switched.refreshToken });
      expect(out.status).toBe(200);

      const inA = await list({ where: { actor: user.id }, order: 'loginTime ASC' });
      expect(inA.map((r) => [r.loginType, r.authMethod, r.tenantId])).toEqual([
        ['ACCESS', 'PASSWORD', a.tenant.id],
        ['RELOGIN', 'PASSWORD', a.tenant.id],
      ]);
      const access = inA[0]!;
      expect(access).toEqual({
        id: expect.stringMatching(UUID),
        actor: user.id,
        tenantId: a.tenant.id,
        loginTime: expect.stringMatching(ISO),
        tokenPayload: expect.any(String),
        loginType: 'ACCESS',
        authMethod: 'PASSWORD',
        deviceInfo: 'android-77',
        ipAddress: expect.stringMatching(/127\.0\.0\.1$/),
      });
      const payload = JSON.parse(access.tokenPayload!);
      expect(payload).toEqual(decodeClaims(login.accessToken));
      // The switch and the logout belong to tenant B: only B's viewer sees them.
      const inB = await list({ where: { actor: user.id }, order: ['loginTime ASC'] }, bViewer.accessToken);
      expect(inB.map((r) => [r.loginType, r.tenantId])).toEqual([
        ['RELOGIN', b.tenant.id],
        ['LOGOUT', b.tenant.id],
      ]);
      expect(inB[1]!.tokenPayload).toBeNull();
      expect(JSON.parse(inB[0]!.tokenPayload!).tid).toBe(b.tenant.id);

      // At rest, the payload and the IP are sealed (AES-256-GCM, a fresh IV each).
      const stored = await sql<{ token_payload_enc: string; ip_address_enc: string }>(
        t,
        `SELECT token_payload_enc, ip_address_enc FROM login_activity WHERE actor = $1 AND token_payload_enc IS NOT NULL`,
        [user.id],
      );
      for (const s of stored) {
        expect(s.token_payload_enc).toMatch(/^v2\./);
        expect(s.token_payload_enc).not.toContain(user.id);
        expect(s.ip_address_enc).not.toContain('127.0.0.1');
      }
      expect(new Set(stored.map((s) => s.ip_address_enc)).size).toBe(stored.length);
    });

    it('records HEADLESS sessions too', async () => {
      const created = await t.http
        .post('/admin/headless-tokens')
        .set(bearer(TEST_ADMIN_KEY))
        .send({ tenantId: a.tenant.id, name: 'backend' });
      const res = await t.http
        .post('/api/v1/headless/auth_token')
        .set(bearer(created.body.token))
        .send({ email: a.email });
      expect(res.status).toBe(200);
      const rows = await list({ where: { authMethod: 'HEADLESS' } });
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows[0]).toMatchObject({ actor: a.user.id, loginType: 'ACCESS', tenantId: a.tenant.id });
    });
  });

  describe('GET /login-activity, /count and /{id}', () => {
    /** A tenant of its own, with rows at known times. */
    let c: Seed;
    let cViewer: string;
    let rows: { id: string; actor: string; loginType: string; authMethod: string; time: Date }[];
    const base = Date.UTC(2026, 9, 5, 12); // 2026-10-05 12:00 UTC

    beforeAll(async () => {
      c = await seedTenant(t, { permissions: ['ViewLoginActivity'] });
      const second = await c.provisioning.users.createUser({
        email: `second-${Date.now()}@example.com`,
        tenantId: c.tenant.id,
        role: 'member',
      });
      const spec: [string, string, string, number][] = [
        [c.user.id, 'ACCESS', 'PASSWORD', 0],
        [c.user.id, 'RELOGIN', 'PASSWORD', 1],
        [second.user.id, 'ACCESS', 'GOOGLE', 2],
        [second.user.id, 'LOGOUT', 'GOOGLE', 3],
        [c.user.id, 'ACCESS', 'OTP', 4],
      ];
      rows = [];
      for (const [actor, loginType, authMethod, days] of spec) {
        const time = new Date(base + days * DAY);
        rows.push({
          id: await insertRow({ tenantId: c.tenant.id, actor, loginType, authMethod, time }),
          actor,
          loginType,
          authMethod,
          time,
        });
      }
      // The viewer's own login adds one ACCESS row now; filters below pin the window to the seeded rows.
      cViewer = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(c))).accessToken;
    });

    const inWindow = { loginTime: { lt: new Date(base + 10 * DAY).toISOString() } };
    const ids = (r: Activity[]) => r.map((x) => x.id);
    const cList = (filter: Record<string, unknown>) => list(filter, cViewer);

    it('lists newest first by default, limited to 100', async () => {
      const all = await cList({ where: inWindow });
      expect(ids(all)).toEqual(rows.map((r) => r.id).reverse());
      const everything = await list(undefined, cViewer);
      expect(everything).toHaveLength(6);
      expect(everything[0]!.loginTime > everything[1]!.loginTime).toBe(true);
    });

    it('filters by date, type, method and actor, with and/or and every operator', async () => {
      const at = (d: number) => new Date(base + d * DAY).toISOString();
      const cases: [Record<string, unknown>, number[]][] = [
        [{ loginType: 'ACCESS' }, [0, 2, 4]],
        [{ loginType: { eq: 'ACCESS' } }, [0, 2, 4]],
        [{ loginType: { neq: 'ACCESS' } }, [1, 3]],
        [{ loginType: { inq: ['RELOGIN', 'LOGOUT'] } }, [1, 3]],
        [{ loginType: { nin: ['RELOGIN', 'LOGOUT'] } }, [0, 2, 4]],
        [{ loginType: { inq: [] } }, []],
        [{ authMethod: { like: 'GOO%' } }, [2, 3]],
        [{ actor: rows[2]!.actor }, [2, 3]],
        [{ actor: { inq: [rows[2]!.actor.toUpperCase()] } }, [2, 3]],
        [{ id: rows[4]!.id }, [4]],
        [{ id: { like: `${rows[4]!.id.slice(0, 8)}%` } }, [4]],
        [{ loginTime: { gte: at(1), lte: at(3) } }, [1, 2, 3]],
        [{ loginTime: { gt: at(1), lt: at(3) } }, [2]],
        [{ loginTime: { between: [at(0), at(1)] } }, [0, 1]],
        [{ loginTime: { between: [base, base + DAY] } }, [0, 1]],
        [{ loginTime: at(2) }, [2]],
        [{ loginTime: { gte: '2026-10-08' } }, [3, 4]],
        [{ or: [{ loginType: 'LOGOUT' }, { authMethod: 'OTP' }] }, [3, 4]],
        [
          { and: [{ loginType: 'ACCESS' }, { or: [{ authMethod: 'GOOGLE' }, { authMethod: 'OTP' }] }] },
          [2, 4],
        ],
        [{ loginType: 'ACCESS', authMethod: 'PASSWORD' }, [0]],
        [{ and: [] }, [0, 1, 2, 3, 4]],
        [{ or: [] }, []],
        // Values are data, never SQL.
        [{ loginType: "ACCESS' OR '1'='1" }, []],
        [{ authMethod: { like: "%'; DROP TABLE login_activity; --" } }, []],
      ];
      for (const [where, expected] of cases) {
        const got = await cList({ where: { and: [inWindow, where] }, order: 'loginTime ASC' });
        expect(ids(got), JSON.stringify(where)).toEqual(expected.map((i) => rows[i]!.id));
        const req = get('/login-activity/count', cViewer).query({
          where: JSON.stringify({ and: [inWindow, where] }),
        });
        expect((await req).body, JSON.stringify(where)).toEqual({ count: expected.length });
      }
      expect((await sql(t, `SELECT 1 FROM login_activity LIMIT 1`)).length).toBe(1);
    });

    it('selects fields (object or array), orders, pages with limit and skip/offset', async () => {
      const picked = await cList({ where: inWindow, fields: ['id', 'loginType'], order: 'loginTime ASC' });
      expect(picked[0]).toEqual({ id: rows[0]!.id, loginType: 'ACCESS' });
      const trueOnly = await cList({ where: inWindow, fields: { actor: true, loginTime: true }, limit: 1 });
      expect(Object.keys(trueOnly[0]!)).toEqual(['actor', 'loginTime']);
      const allBut = await cList({
        where: inWindow,
        fields: { tokenPayload: false, ipAddress: false },
        limit: 1,
      });
      expect(Object.keys(allBut[0]!)).toEqual([
        'id',
        'actor',
        'tenantId',
        'loginTime',
        'loginType',
        'authMethod',
        'deviceInfo',
      ]);

      const byType = await cList({ where: inWindow, order: ['loginType ASC', 'loginTime DESC'] });
      expect(byType.map((r) => r.loginType)).toEqual(['ACCESS', 'ACCESS', 'ACCESS', 'LOGOUT', 'RELOGIN']);
      expect(ids(byType).slice(0, 3)).toEqual([rows[4]!.id, rows[2]!.id, rows[0]!.id]);
      const comma = await cList({ where: inWindow, order: 'loginType desc, loginTime asc' });
      expect(comma.map((r) => r.loginType)).toEqual(['RELOGIN', 'LOGOUT', 'ACCESS', 'ACCESS', 'ACCESS']);

      const page = (extra: Record<string, unknown>) =>
        cList({ where: inWindow, order: 'loginTime ASC', ...extra });
      expect(ids(await page({ limit: 2 }))).toEqual([rows[0]!.id, rows[1]!.id]);
      expect(ids(await page({ limit: 2, skip: 2 }))).toEqual([rows[2]!.id, rows[3]!.id]);
      expect(ids(await page({ limit: 2, offset: 4 }))).toEqual([rows[4]!.id]);
      expect(ids(await page({ limit: '2', skip: 2, offset: 2 }))).toEqual([rows[2]!.id, rows[3]!.id]);
      expect(await page({ limit: 1000, skip: 10 })).toEqual([]);
    });

    it('gets one row by id, with fields; other tenants’ rows and unknown ids are 404', async () => {
      const one = await get(`/login-activity/${rows[3]!.id}`, cViewer);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({
        id: rows[3]!.id,
        actor: rows[3]!.actor,
        tenantId: c.tenant.id,
        loginType: 'LOGOUT',
        authMethod: 'GOOGLE',
        ipAddress: '198.51.100.9',
        deviceInfo: null,
      });
      const slim = await get(`/login-activity/${rows[3]!.id}`, cViewer).query({
        filter: JSON.stringify({ fields: { id: true, loginType: true } }),
      });
      expect(slim.body).toEqual({ id: rows[3]!.id, loginType: 'LOGOUT' });
      // Another tenant's viewer: 404, not 403 (the row is invisible).
      expectError(await get(`/login-activity/${rows[3]!.id}`), 404, 'NOT_FOUND');
      expectError(
        await get('/login-activity/00000000-0000-4000-8000-000000000000', cViewer),
        404,
        'NOT_FOUND',
      );
      expectError(await get('/login-activity/not-a-uuid', cViewer), 404, 'NOT_FOUND');
      expectError(
        await get(`/login-activity/${rows[3]!.id}`, cViewer).query({ filter: JSON.stringify({ where: {} }) }),
        400,
        'INVALID_FILTER',
      );
      expectError(
        await get(`/login-activity/${rows[3]!.id}`, cViewer).query({ filter: '{bad' }),
        400,
        'INVALID_FILTER',
      );
    });

    it("never shows another tenant's rows, whatever the filter says", async () => {
      const foreign = await list({ where: { tenantId: c.tenant.id } });
      expect(foreign).toEqual([]);
      expect(await count({ tenantId: c.tenant.id })).toBe(0);
      expect(await count({ or: [{ tenantId: c.tenant.id }, { tenantId: { neq: c.tenant.id } }] })).toBe(
        await count(),
      );
      const mine = await list({ limit: 1000 });
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((r) => r.tenantId === a.tenant.id)).toBe(true);
      expect((await cList({ where: { tenantId: c.tenant.id }, limit: 1000 })).length).toBe(6);
    });
  });

  describe('refusals', () => {
    it('a member without ViewLoginActivity gets 403; no token, a bad token, the admin key get 401', async () => {
      const plain = await seedTenant(t);
      const token = expectTokenResponse(
        await t.http.post('/auth/login-token').send(loginBody(plain)),
      ).accessToken;
      for (const path of [
        '/login-activity',
        '/login-activity/count',
        '/login-activity/00000000-0000-4000-8000-000000000000',
        '/active-users/daily',
      ]) {
        expectError(await get(path, token), 403, 'FORBIDDEN');
        expectError(await t.http.get(path), 401, 'UNAUTHORIZED');
        expectError(await get(path, 'a.b.c'), 401, 'UNAUTHORIZED');
        expectError(await get(path, TEST_ADMIN_KEY), 401, 'UNAUTHORIZED');
      }
    });

    it('a forbidden field, operator or shape in filter / where: 400 INVALID_FILTER', async () => {
      const bad: unknown[] = [
        { where: { userAgent: 'x' } },
        { where: { tokenPayload: { like: '%' } } },
        { where: { ipAddress: '127.0.0.1' } },
        { where: { loginType: { regexp: '^A' } } },
        { where: { loginType: { ilike: 'a%' } } },
        { where: { loginType: { nlike: 'a%' } } },
        { where: { loginType: { exists: true } } },
        { where: { loginType: {} } },
        { where: { loginType: ['ACCESS'] } },
        { where: { loginType: 7 } },
        { where: { loginTime: { like: '2026%' } } },
        { where: { loginTime: 'yesterday' } },
        { where: { loginTime: { between: ['2026-01-01'] } } },
        { where: { actor: 'not-a-uuid' } },
        { where: { actor: { inq: 'x' } } },
        { where: { loginType: { inq: Array.from({ length: 1001 }, () => 'A') } } },
        { where: { 'login_type; DROP TABLE login_activity': 'x' } },
        { where: { and: { loginType: 'ACCESS' } } },
        { where: { or: ['x'] } },
        { where: { $where: '1=1' } },
        { where: [] },
        { where: 'loginType' },
        { include: ['user'] },
        { unknown: 1 },
        { limit: 1001 },
        { limit: 0 },
        { limit: -1 },
        { limit: 1.5 },
        { limit: 'ten' },
        { skip: -1 },
        { skip: 1, offset: 2 },
        { order: 'loginTime; DROP TABLE login_activity' },
        { order: 'userAgent ASC' },
        { order: 'loginTime SIDEWAYS' },
        { order: [] },
        { order: 5 },
        { fields: ['id', 'password'] },
        { fields: { id: 'yes' } },
        { fields: 'id' },
        [],
        'filter',
        42,
      ];
      for (const filter of bad) {
        const res = await get('/login-activity').query({ filter: JSON.stringify(filter) });
        expectError(res, 400, 'INVALID_FILTER');
      }
      expectError(
        await get('/login-activity').query({ filter: '{"where":{"__proto__":{"loginType":"x"}}}' }),
        400,
        'INVALID_FILTER',
      );
      let nested: Record<string, unknown> = { loginType: 'ACCESS' };
      for (let i = 0; i < 20; i++) nested = { and: [nested] };
      expectError(
        await get('/login-activity').query({ filter: JSON.stringify({ where: nested }) }),
        400,
        'INVALID_FILTER',
      );
      for (const where of [{ userAgent: 'x' }, { loginType: { regexp: 'x' } }, [], 'x']) {
        expectError(
          await get('/login-activity/count').query({ where: JSON.stringify(where) }),
          400,
          'INVALID_FILTER',
        );
      }
    });

    it('malformed query strings: 400 INVALID_FILTER for bad JSON, 422 for unknown parameters, never 5xx', async () => {
      for (const raw of [
        '{',
        '{"where":',
        "{'where':{}}",
        'undefined',
        '%7B',
        '{"where":{"loginType":"A"}}}',
      ]) {
        expectError(await get(`/login-activity?filter=${encodeURIComponent(raw)}`), 400, 'INVALID_FILTER');
        expectError(
          await get(`/login-activity/count?where=${encodeURIComponent(raw)}`),
          400,
          'INVALID_FILTER',
        );
      }
      expectError(await get('/login-activity?filter={}&filter={}'), 400, 'INVALID_FILTER');
      expectError(await get('/login-activity/count?where={}&where={}'), 400, 'INVALID_FILTER');
      expectError(await get('/login-activity?filter[where][loginType]=ACCESS'), 422, 'VALIDATION_FAILED');
      expectError(await get('/login-activity?limit=5'), 422, 'VALIDATION_FAILED');
      expectError(await get('/login-activity/count?filter={}'), 422, 'VALIDATION_FAILED');
      // Empty and null mean "no filter".
      expect((await get('/login-activity?filter=')).status).toBe(200);
      expect((await get('/login-activity?filter=null')).status).toBe(200);
      // A URL past Node's 16 KB header limit is refused by its HTTP parser, before the app.
      expect((await get(`/login-activity?filter=${encodeURIComponent('x'.repeat(20_000))}`)).status).toBe(
        431,
      );
    });
  });

  describe('GET /active-users/{range}', () => {
    let d: Seed;
    let dViewer: string;
    let users: { id: string; email: string; username: string }[];
    /** A Monday 00:00 UTC about ten weeks ago (inside the retention, before the default window). */
    let monday: number;
    let expectedRows: { id: string; actor: string; loginType: string; time: number }[];

    beforeAll(async () => {
      d = await seedTenant(t, { permissions: ['ViewLoginActivity'] });
      dViewer = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(d))).accessToken;
      users = [];
      for (let i = 0; i < 3; i++) {
        const email = `active-${i}-${Date.now()}@example.com`;
        const created = await d.provisioning.users.createUser({
          email,
          username: `active-user-${i}-${Date.now()}`,
          tenantId: d.tenant.id,
          role: 'member',
        });
        users.push({ id: created.user.id, email, username: created.user.username! });
      }
      const today = new Date();
      const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
      const weekday = new Date(midnight).getUTCDay() || 7;
      monday = midnight - (weekday - 1) * DAY - 10 * 7 * DAY;
      const [u0, u1, u2] = users.map((u) => u.id) as [string, string, string];
      const H = 3_600_000;
      const spec: [string, string, number][] = [
        [u0, 'ACCESS', 1 * H],
        [u0, 'ACCESS', 2 * H], // same day, same type, same actor: not the first
        [u0, 'RELOGIN', 3 * H],
        [u1, 'ACCESS', DAY + 5 * H],
        [u0, 'ACCESS', 7 * DAY + 1 * H], // the next ISO week
        [u2, 'LOGOUT', 8 * DAY],
        [u1, 'ACCESS', 8 * DAY + 23 * H + 59 * 60_000], // still that UTC day
        [u1, 'ACCESS', 40 * DAY], // most likely another month
        [u2, 'ACCESS', 40 * DAY + H],
      ];
      expectedRows = [];
      for (const [actor, loginType, offset] of spec) {
        const time = monday + offset;
        const id = await insertRow({ tenantId: d.tenant.id, actor, loginType, time: new Date(time) });
        expectedRows.push({ id, actor, loginType, time });
      }
      // Another tenant at the same times, and rows outside the window: never counted.
      await insertRow({
        tenantId: b.tenant.id,
        actor: b.user.id,
        loginType: 'ACCESS',
        time: new Date(monday + H),
      });
      await insertRow({ tenantId: d.tenant.id, actor: u2, loginType: 'ACCESS', time: new Date(monday - H) });
      await insertRow({
        tenantId: d.tenant.id,
        actor: u2,
        loginType: 'ACCESS',
        time: new Date(monday + 46 * DAY),
      });
    });

    const window = () => ({
      startDate: new Date(monday).toISOString(),
      endDate: new Date(monday + 45 * DAY).toISOString(),
    });
    const report = async (range: string, query: Record<string, string> = window()) => {
      const res = await get(`/active-users/${range}`, dViewer).query(query);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as Record<string, Record<string, Activity[]>>;
    };
    /** The oracle: per period and type, each actor's first row, in time order. */
    const expected = (range: 'daily' | 'weekly' | 'monthly', keep = (_actor: string) => true) => {
      const out: Record<string, Record<string, string[]>> = {};
      const seen = new Set<string>();
      for (const r of [...expectedRows].sort((x, y) => x.time - y.time)) {
        if (!keep(r.actor)) continue;
        const period = periodKey(range, new Date(r.time).toISOString());
        const key = `${period}|${r.loginType}|${r.actor}`;
        if (seen.has(key)) continue;
        seen.add(key);
        ((out[period] ??= {})[r.loginType] ??= []).push(r.id);
      }
      return out;
    };
    const idsOf = (body: Record<string, Record<string, Activity[]>>) =>
      Object.fromEntries(
        Object.entries(body).map(([p, byType]) => [
          p,
          Object.fromEntries(Object.entries(byType).map(([type, list]) => [type, list.map((x) => x.id)])),
        ]),
      );

    it('groups by UTC day (YYYY-MM-DD), keeping each actor’s first activity per type', async () => {
      const body = await report('daily');
      expect(idsOf(body)).toEqual(expected('daily'));
      const firstDay = new Date(monday).toISOString().slice(0, 10);
      expect(Object.keys(body)[0]).toBe(firstDay);
      expect(body[firstDay]!.ACCESS!.map((x) => x.id)).toEqual([expectedRows[0]!.id]);
      expect(body[firstDay]!.RELOGIN!.map((x) => x.id)).toEqual([expectedRows[2]!.id]);
      const entry = body[firstDay]!.ACCESS![0]!;
      expect(entry).toEqual({
        id: expectedRows[0]!.id,
        actor: users[0]!.id,
        tenantId: d.tenant.id,
        loginTime: new Date(monday + 3_600_000).toISOString(),
        tokenPayload: JSON.stringify({ sub: users[0]!.id, tid: d.tenant.id }),
        loginType: 'ACCESS',
        authMethod: 'PASSWORD',
        deviceInfo: null,
        ipAddress: '198.51.100.9',
      });
      // Keys come in time order.
      expect(Object.keys(body)).toEqual([...Object.keys(body)].sort());
    });

    it('groups by ISO week (YYYY-Www) and by month (MM-YYYY)', async () => {
      const weekly = await report('weekly');
      expect(idsOf(weekly)).toEqual(expected('weekly'));
      for (const key of Object.keys(weekly)) expect(key).toMatch(/^\d{4}-W\d{2}$/);
      expect(Object.keys(weekly).length).toBeGreaterThanOrEqual(3);
      const firstWeek = weekly[periodKey('weekly', new Date(monday).toISOString())]!;
      expect(firstWeek.ACCESS!.map((x) => x.actor)).toEqual([users[0]!.id, users[1]!.id]);

      const monthly = await report('monthly');
      expect(idsOf(monthly)).toEqual(expected('monthly'));
      for (const key of Object.keys(monthly)) expect(key).toMatch(/^(0[1-9]|1[0-2])-\d{4}$/);
    });

    it('filters users in or out by actor id or by username / email', async () => {
      const [u0, u1, u2] = users;
      const withFilter = (range: string, filter: unknown) =>
        report(range, { ...window(), filter: JSON.stringify(filter) });
      expect(
        idsOf(
          await withFilter('daily', { inclusion: true, userIdentity: 'actorId', userIdentifier: [u0!.id] }),
        ),
      ).toEqual(expected('daily', (a) => a === u0!.id));
      expect(
        idsOf(
          await withFilter('weekly', {
            inclusion: false,
            userIdentity: 'actorId',
            userIdentifier: [u0!.id, u2!.id],
          }),
        ),
      ).toEqual(expected('weekly', (a) => a === u1!.id));
      expect(
        idsOf(
          await withFilter('monthly', {
            inclusion: true,
            userIdentity: 'userName',
            userIdentifier: [u1!.email.toUpperCase(), u2!.username],
          }),
        ),
      ).toEqual(expected('monthly', (a) => a !== u0!.id));
      expect(
        idsOf(
          await withFilter('daily', {
            inclusion: false,
            userIdentity: 'userName',
            userIdentifier: [u1!.username],
          }),
        ),
      ).toEqual(expected('daily', (a) => a !== u1!.id));
      expect(
        await withFilter('daily', {
          inclusion: true,
          userIdentity: 'userName',
          userIdentifier: ['nobody@example.com'],
        }),
      ).toEqual({});
      expect(
        idsOf(await withFilter('daily', { inclusion: false, userIdentity: 'actorId', userIdentifier: [] })),
      ).toEqual(expected('daily'));
    });

    it('defaults to the 30 days up to now', async () => {
      const recent = await insertRow({
        tenantId: d.tenant.id,
        actor: users[2]!.id,
        loginType: 'RELOGIN',
        time: new Date(Date.now() - 2 * DAY),
      });
      const body = await report('daily', {});
      const all = Object.values(body).flatMap((byType) => Object.values(byType).flat());
      expect(all.map((x) => x.id)).toContain(recent);
      // The viewer's own login of today is there; the seeded weeks-old rows are not.
      expect(all.every((x) => Date.parse(x.loginTime) >= Date.now() - 31 * DAY)).toBe(true);
      const onlyEnd = await report('monthly', { endDate: new Date(monday + 2 * DAY).toISOString() });
      const ends = Object.values(onlyEnd).flatMap((byType) => Object.values(byType).flat());
      expect(ends.map((x) => x.id)).toEqual(
        expect.arrayContaining([expectedRows[0]!.id, expectedRows[3]!.id]),
      );
      expect(ends.every((x) => Date.parse(x.loginTime) <= monday + 2 * DAY)).toBe(true);
    });

    it('answers {} for an empty window and 400/422 for bad input, never 5xx', async () => {
      expect(
        await report('daily', { startDate: '2020-01-01T00:00:00Z', endDate: '2020-01-02T00:00:00Z' }),
      ).toEqual({});
      for (const range of ['yearly', 'DAILY', 'hourly', '1', '%27']) {
        expectError(await get(`/active-users/${range}`, dViewer), 400, 'INVALID_RANGE');
      }
      for (const query of [
        { startDate: 'yesterday' },
        { endDate: '2026-13-01' },
        { startDate: '2026-11-10T00:00:00Z', endDate: '2026-11-01T00:00:00Z' },
        { unknown: '1' },
      ]) {
        expectError(await get('/active-users/daily', dViewer).query(query), 422, 'VALIDATION_FAILED');
      }
      for (const filter of [
        '{',
        '[]',
        '"x"',
        JSON.stringify({ inclusion: 'true', userIdentity: 'actorId', userIdentifier: [] }),
        JSON.stringify({ inclusion: true, userIdentity: 'email', userIdentifier: [] }),
        JSON.stringify({ inclusion: true, userIdentity: 'actorId', userIdentifier: ['not-a-uuid'] }),
        JSON.stringify({ inclusion: true, userIdentity: 'actorId', userIdentifier: 'x' }),
        JSON.stringify({ inclusion: true, userIdentity: 'userName', userIdentifier: [1] }),
        JSON.stringify({ inclusion: true, userIdentity: 'userName', userIdentifier: Array(101).fill('x') }),
        JSON.stringify({ inclusion: true, userIdentity: 'actorId', userIdentifier: [], extra: 1 }),
      ]) {
        expectError(await get('/active-users/weekly', dViewer).query({ filter }), 400, 'INVALID_FILTER');
      }
      expectError(await get('/active-users/weekly?filter={}&filter={}', dViewer), 400, 'INVALID_FILTER');
    });
  });
});
