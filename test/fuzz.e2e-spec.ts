import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { cspDirective, expectError, expectTokenResponse } from './support/assertions.js';
import { bearer, pkcePair, visitorToken } from './support/headless.js';
import {
  contractViolations,
  describeRequest,
  FuzzRequest,
  FuzzResponse,
  headerValue,
  hugeString,
  loadOperations,
  nestingBomb,
  Operation,
  percentEncode,
  sampleFromSchema,
  send,
  sqlInjection,
  stringValue,
  wrongValue,
} from './support/fuzz.js';
import { AccessTokensService } from '../src/tokens/access-tokens.service.js';

/**
 * Hostile input (issue 9, part 3): FUZZ_RUNS (default 10,000) malformed requests over every
 * operation of openapi.json, against one app with a seeded tenant and valid tokens mixed in. Any
 * 5xx, hang (FUZZ_TIMEOUT_MS, default 10 s), answer that is not the contract's error body, or stack
 * trace / SQL text fails the test with the request that caused it. FUZZ_SEED replays a run.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const PARALLEL = Number(process.env.FUZZ_PARALLEL ?? 6);
const TIMEOUT_MS = Number(process.env.FUZZ_TIMEOUT_MS ?? 10_000);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

const { ops, spec } = loadOperations();

describe('hostile input on every route of openapi.json', () => {
  let t: TestApp;
  let seed: Seed;
  /** A second tenant whose ids are the "valid" path params (admin DELETE/PATCH may hit them). */
  let spare: Seed;
  /** A public client (visitor tokens, the web_message page). */
  let web: Seed;
  const agent = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });
  const tokens = { access: '', activity: '', visitor: '', expired: '', forged: '', none: '', revoked: '' };

  const reseeds: string[] = [];
  const seedMain = () => seedTenant(t, { permissions: ['ViewProfile', 'ViewLoginActivity'] });

  /**
   * A new access token for the main user. The fuzz may legitimately have changed that user (a
   * change-password with the right old password, an admin DELETE with its id): then a new tenant
   * takes its place.
   */
  async function freshTokens(): Promise<void> {
    let res = await t.http.post('/auth/login-token').send(loginBody(seed));
    if (res.status !== 200) {
      reseeds.push(`${res.status} ${String(res.body?.code)}`);
      seed = await seedMain();
      res = await t.http.post('/auth/login-token').send(loginBody(seed));
    }
    tokens.access = expectTokenResponse(res).accessToken;
  }

  beforeAll(async () => {
    t = await createTestApp({
      RATE_LIMIT_PER_IP: '10000000',
      RATE_LIMIT_PER_ACCOUNT: '10000000',
      RATE_LIMIT_PER_ADDRESS: '10000000',
    });
    seed = await seedMain();
    spare = await seedTenant(t);
    web = await seedTenant(t, {
      client: {
        public: true,
        redirectUrls: ['https://spa.example.com/callback'],
        allowedOrigins: ['https://spa.example.com', 'https://other.example.com'],
      },
    });
    await freshTokens();
    tokens.activity = tokens.access;
    tokens.visitor = await visitorToken(t, web.client.clientId);
    const signer = t.app.get(AccessTokensService);
    tokens.expired = signer.sign(
      {
        sub: seed.user.id,
        tid: seed.tenant.id,
        cid: seed.client.clientId,
        sid: '00000000-0000-4000-8000-000000000000',
        permissions: ['ViewProfile'],
      },
      -60,
    ).token;
    const [h, p, s] = tokens.access.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, permissions: ['ManageAuth'] })).toString(
      'base64url',
    );
    tokens.forged = `${h}.${forgedPayload}.${s}`;
    tokens.none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    const other = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
    const out = await t.http
      .post('/logout')
      .set(bearer(other.accessToken))
      .send({ refreshToken: other.refreshToken });
    expect(out.status).toBe(200);
    tokens.revoked = other.accessToken;
  });
  afterAll(async () => {
    agent.destroy();
    await t?.close();
  });

  it(
    `answers ${RUNS} malformed requests with a 2xx/3xx or the contract's error body, never a 5xx or a hang`,
    async () => {
      const pool = [
        seed.client.clientId,
        web.client.clientId,
        seed.email,
        seed.password,
        seed.tenant.id,
        seed.user.id,
        spare.tenant.id,
        spare.user.id,
        spare.client.id,
        spare.role.id,
        String(seed.membership.memberId),
      ];
      const idPool = [
        spare.tenant.id,
        spare.user.id,
        spare.client.id,
        spare.role.id,
        String(spare.membership.memberId),
      ];
      const str = stringValue(pool);
      const wrong = wrongValue(pool);

      const authArb = fc.oneof(
        { weight: 3, arbitrary: fc.constant<string | undefined>(undefined) },
        {
          weight: 6,
          arbitrary: fc
            .constantFrom<keyof typeof tokens>(
              'access',
              'activity',
              'visitor',
              'expired',
              'forged',
              'none',
              'revoked',
            )
            .map((k) => `Bearer ${tokens[k]}`),
        },
        { weight: 2, arbitrary: fc.constant(`Bearer ${TEST_ADMIN_KEY}`) },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            'Bearer',
            'Bearer ',
            'bearer garbage',
            'Basic YWRtaW46YWRtaW4=',
            `Bearer ${TEST_ADMIN_KEY}x`,
            `Bearer ${TEST_ADMIN_KEY.slice(0, -1)}`,
            'Bearer a.b.c',
            'Bearer ....',
            `Bearer ${'A'.repeat(7_000)}`,
            'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln',
            'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwicGVybWlzc2lvbnMiOlsiTWFuYWdlQXV0aCJdfQ.',
            'Bearer \u00ff\u00fe\u00fd',
            'Negotiate abc',
          ),
        },
        { weight: 1, arbitrary: headerValue(pool).map((v) => `Bearer ${v}`) },
      );

      const contentTypeArb = fc.constantFrom(
        'application/json',
        'application/json',
        'application/json',
        'application/json; charset=utf-8',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/x-www-form-urlencoded',
        'application/x-www-form-urlencoded; charset=utf-8',
        'text/plain',
        'text/html',
        'multipart/form-data; boundary=----x',
        'application/xml',
        'application/octet-stream',
        'application/merge-patch+json',
        'application/vnd.api+json',
        ';;;',
        '*/*',
        'application/json; boundary=""',
        '',
      );

      const junkHeaderArb = fc.array(
        fc.tuple(
          fc.constantFrom(
            'device_id',
            'Device-Id',
            'clientId',
            'code',
            'X-Forwarded-For',
            'X-Forwarded-Proto',
            'X-Real-IP',
            'Origin',
            'Referer',
            'Accept',
            'Accept-Language',
            'Accept-Encoding',
            'Content-Encoding',
            'Cookie',
            'User-Agent',
            'X-Http-Method-Override',
            'If-None-Match',
            'Range',
            'X-Custom-Junk',
          ),
          headerValue(pool),
        ),
        { maxLength: 4 },
      );

      /** A path param: a known id, or junk (traversal, bad encodings, unicode, huge). */
      const pathParamArb = fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom(...idPool).map(encodeURIComponent) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(...idPool, seed.client.clientId)
            .map((id) => `${encodeURIComponent(id)}%00`),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'daily',
            'weekly',
            'monthly',
            'totp',
            '1',
            '0',
            '-1',
            '99999999999999999999',
          ),
        },
        { weight: 2, arbitrary: fc.uuid().map((u) => u) },
        { weight: 3, arbitrary: str.filter((s) => s.length > 0 && s.length < 2_000).map(percentEncode) },
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            '..',
            '..%2F..%2Fadmin%2Ftenants',
            '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
            '..%252f..%252f',
            '%00',
            '%zz',
            '%',
            '%E0%A4%A',
            '%C0%AE%C0%AE%2F',
            '%ED%A0%80',
            '%FF%FE',
            '....%2F%2F',
            '%2F',
            '%5C..%5C..',
            'a%20b',
            'null',
            'undefined',
            '%7B%22%24ne%22%3Anull%7D',
            encodeURIComponent("' OR '1'='1"),
            'x'.repeat(2_000),
          ),
        },
      );

      /** A query value; filter/where get JSON and SQL injection, bombs and broken JSON. */
      const filterArb = fc.oneof(
        fc.constantFrom(
          '{"where":{"or":[{"actor":{"neq":null}},{"1":"1"}]}}',
          '{"where":{"actor":"\' OR 1=1 --"}}',
          '{"where":{"tenantId":{"neq":"x"}}}',
          '{"where":{"loginType":{"like":"%"}},"limit":1000}',
          '{"where":{"id":{"inq":[]}}}',
          '{"where":{"id":{"between":[1]}}}',
          '{"where":{"loginTime":{"between":["a","b","c"]}}}',
          '{"where":{"loginTime":{"gt":"not a date"}}}',
          '{"where":{"password":"x"}}',
          '{"where":{"tokenPayload":{"like":"%"}}}',
          '{"where":{"actor":{"$ne":null}}}',
          '{"where":{"actor":{"regexp":".*"}}}',
          '{"where":{"and":"x"}}',
          '{"where":{"or":[[[[]]]]}}',
          '{"where":{"__proto__":{"polluted":true}}}',
          '{"__proto__":{"polluted":true}}',
          '{"constructor":{"prototype":{"polluted":true}}}',
          '{"fields":{"tokenPayload":true,"password":true}}',
          '{"fields":["id","1=1"]}',
          '{"fields":"*"}',
          '{"order":"loginTime DESC; DROP TABLE login_activity"}',
          '{"order":["id ASC","actor SIDEWAYS"]}',
          '{"order":"(SELECT 1)"}',
          '{"limit":-1}',
          '{"limit":1e309}',
          '{"limit":"10; --"}',
          '{"limit":100000}',
          '{"skip":-5,"offset":"x"}',
          '{"skip":9007199254740993}',
          '{"inclusion":true,"userIdentity":"userName","userIdentifier":["\' OR 1=1 --"]}',
          '{"inclusion":"yes","userIdentity":"password","userIdentifier":"x"}',
          '{"inclusion":false,"userIdentity":"actorId","userIdentifier":[1,null,{}]}',
          '{"actor":"x"}',
          '{"loginType":{"inq":["ACCESS",null]}}',
          '{',
          '[]',
          'null',
          '"string"',
          '1',
          '{"where":',
          "{'where':1}",
          '{"where":{"actor":"\u0000"}}',
        ),
        sqlInjection,
        nestingBomb().filter((b) => b.length < 6_000),
        fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        fc
          .record({
            where: fc.dictionary(fc.constantFrom('id', 'actor', 'loginType', 'x', 'or', 'and'), wrong),
          })
          .map((v) => JSON.stringify(v)),
      );

      const queryValueArb = (name: string) =>
        name === 'filter' || name === 'where'
          ? fc.oneof({ weight: 4, arbitrary: filterArb }, { weight: 1, arbitrary: str })
          : fc.oneof(str, fc.constantFrom('2026-11-01T00:00:00.000Z', '2026-13-45', '0', '-1', 'true', '[]'));

      const bodyArb = (op: Operation) => {
        const sample = () =>
          sampleFromSchema(spec, op.bodySchema, (name) => {
            if (/client_?id/i.test(name)) return seed.client.clientId;
            if (/email|username|login/i.test(name)) return seed.email;
            if (/tenant/i.test(name)) return seed.tenant.id;
            return 'x';
          });
        const mutated = fc
          .array(
            fc.oneof(
              fc.record({ kind: fc.constant('drop' as const), index: fc.nat() }),
              fc.record({ kind: fc.constant('set' as const), index: fc.nat(), value: wrong }),
              fc.record({
                kind: fc.constant('extra' as const),
                key: fc.oneof(str, fc.constantFrom('isAdmin', 'role', 'permissions', 'id')),
                value: wrong,
              }),
              fc.record({ kind: fc.constant('huge' as const), index: fc.nat(), value: hugeString() }),
              fc.record({
                kind: fc.constant('tail' as const),
                index: fc.nat(),
                value: fc.constantFrom('\u0000', '\ud800', '\u202e', "'"),
              }),
            ),
            { minLength: 1, maxLength: 4 },
          )
          .map((mutations) => {
            const base = sample();
            const obj: Record<string, unknown> =
              base && typeof base === 'object' && !Array.isArray(base)
                ? { ...(base as Record<string, unknown>) }
                : {};
            for (const m of mutations) {
              const keys = Object.keys(obj);
              if (m.kind === 'extra') obj[m.key] = m.value;
              else if (keys.length === 0) continue;
              else if (m.kind === 'drop') delete obj[keys[m.index % keys.length]!];
              else if (m.kind === 'tail') {
                const key = keys[m.index % keys.length]!;
                obj[key] = `${typeof obj[key] === 'string' ? obj[key] : 'x'}${m.value}`;
              } else obj[keys[m.index % keys.length]!] = m.value;
            }
            return { note: 'mutated body', text: JSON.stringify(obj), form: obj };
          });
        const protoPollution = fc
          .constantFrom(
            '{"__proto__":{"isAdmin":true,"permissions":["ManageAuth"]}}',
            '{"constructor":{"prototype":{"isAdmin":true}}}',
            '{"a":1,"a":2,"__proto__":null}',
          )
          .map((text) => {
            const base = JSON.stringify(sample() ?? {});
            const merged =
              base.startsWith('{') && base !== '{}' ? `${text.slice(0, -1)},${base.slice(1)}` : text;
            return { note: 'prototype pollution', text: merged, form: undefined };
          });
        const raw = fc.oneof(
          fc
            .jsonValue({ maxDepth: 4 })
            .map((v) => ({ note: 'random JSON', text: JSON.stringify(v) ?? 'null', form: undefined })),
          nestingBomb().map((text) => ({
            note: `nesting bomb (${text.length} chars)`,
            text,
            form: undefined,
          })),
          nestingBomb()
            .filter((b) => b.length < 90_000)
            .map((bomb) => {
              const base = sample();
              const obj =
                base && typeof base === 'object' && !Array.isArray(base)
                  ? (base as Record<string, unknown>)
                  : {};
              const key = Object.keys(obj)[0] ?? 'x';
              const text = JSON.stringify({ ...obj, [key]: 0 }).replace(`"${key}":0`, `"${key}":${bomb}`);
              return { note: `nesting bomb in ${key}`, text, form: undefined };
            }),
          fc
            .constantFrom(
              '',
              '{',
              '}',
              '{"a":}',
              '{"a":1,}',
              "{'a':1}",
              '{"a":NaN}',
              '{"a":Infinity}',
              '{"a":1e999999}',
              '/* c */{}',
              '\ufeff{}',
              'null',
              'true',
              '"str"',
              '[]',
              '[{}]',
              '1',
              'undefined',
              '{"a":"\\ud800"}',
              '{"a":"\\u0000"}',
              '{"a":"\\x"}',
              '\u0000',
              'a=1&b=2',
              'a[b][c][d][e][f][g][h]=1',
              '<xml><a>1</a></xml>',
            )
            .map((text) => ({ note: 'broken JSON', text, form: undefined })),
          fc
            .uint8Array({ maxLength: 300 })
            .map((bytes) => ({ note: 'random bytes', text: Buffer.from(bytes), form: undefined })),
          fc.constantFrom(99_000, 102_000, 104_000, 1_100_000).map((n) => ({
            note: `size ${n}`,
            text: `{"x":"${'a'.repeat(n)}"}`,
            form: undefined,
          })),
          fc.constant({
            note: 'invalid UTF-8',
            text: Buffer.concat([
              Buffer.from('{"password":"'),
              Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf0, 0x28, 0x8c]),
              Buffer.from('"}'),
            ]),
            form: undefined,
          }),
          fc.constantFrom(50, 1_200).map((n) => ({
            note: `${n} form parameters`,
            text: Array.from({ length: n }, (_, i) => `p${i}=${i}`).join('&'),
            form: undefined,
          })),
          fc
            .constantFrom(
              `a${'[a]'.repeat(500)}=1`,
              'grant_type=password&grant_type=client_credentials',
              'client_id[]=x&client_id[]=y',
              '%zz=%zz',
              '=&=&&==',
              'grantType=authorization_code&code=%00&code_verifier=%ED%A0%80',
            )
            .map((text) => ({ note: 'form junk', text, form: undefined })),
        );
        return fc.oneof(
          { weight: 5, arbitrary: mutated },
          { weight: 1, arbitrary: protoPollution },
          { weight: 4, arbitrary: raw },
        );
      };

      const requestArb = (op: Operation): fc.Arbitrary<FuzzRequest> =>
        fc
          .record({
            pathValues: fc.array(pathParamArb, {
              minLength: op.pathParams.length,
              maxLength: op.pathParams.length,
            }),
            query: fc.array(fc.option(fc.constant(0), { freq: 3 }), {
              minLength: op.queryParams.length,
              maxLength: op.queryParams.length,
            }),
            queryValues: fc.tuple(...op.queryParams.map((q) => queryValueArb(q.name))),
            extraQuery: fc.array(
              fc.tuple(fc.oneof(str, fc.constantFrom('filter[where][id]', 'a[]', '__proto__[x]')), str),
              {
                maxLength: 2,
              },
            ),
            rawQuery: fc.option(
              fc.constantFrom('%zz', '&&&', '=', 'a=%', 'a=%E0%A4%A', 'filter=%7B', '?x=1'),
              { freq: 8 },
            ),
            auth: authArb,
            withBody: fc.nat(9),
            body: bodyArb(op),
            asForm: fc.nat(4),
            contentType: fc.option(contentTypeArb, { freq: 3 }),
            junk: junkHeaderArb,
          })
          .map((g) => {
            let i = 0;
            let path = op.path.replace(/\{\w+\}/g, () => g.pathValues[i++] ?? 'x');
            const query: string[] = [];
            op.queryParams.forEach((q, k) => {
              if (g.query[k] !== null)
                query.push(`${percentEncode(q.name)}=${percentEncode(g.queryValues[k] as string)}`);
            });
            for (const [k, v] of g.extraQuery) query.push(`${percentEncode(k)}=${percentEncode(v)}`);
            if (g.rawQuery) query.push(g.rawQuery);
            if (query.length) path += `?${query.join('&')}`;
            const headers: Record<string, string> = {};
            for (const [k, v] of g.junk) headers[k] = v;
            if (g.auth !== undefined) headers.Authorization = g.auth;
            let body: Buffer | undefined;
            let note = 'no body';
            // A documented body most of the time; sometimes a body on a bodiless route, or none.
            const sendBody = op.bodySchema ? g.withBody > 0 : g.withBody === 0;
            if (sendBody) {
              note = g.body.note;
              if (g.body.form && g.asForm === 0) {
                body = Buffer.from(
                  Object.entries(g.body.form)
                    .map(
                      ([k, v]) =>
                        `${percentEncode(k)}=${percentEncode(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))}`,
                    )
                    .join('&'),
                );
                headers['Content-Type'] = 'application/x-www-form-urlencoded';
                note += ' (form)';
              } else {
                body = typeof g.body.text === 'string' ? Buffer.from(g.body.text, 'utf8') : g.body.text;
                headers['Content-Type'] = 'application/json';
              }
            }
            if (g.contentType !== null) {
              if (g.contentType === '') delete headers['Content-Type'];
              else headers['Content-Type'] = g.contentType;
            }
            return { op: op.key, method: op.method, path, headers, body, note };
          });

      const perOp = ops.map((op) => requestArb(op));
      const batchArb = fc.array(
        fc.integer({ min: 0, max: ops.length - 1 }).chain((k) => perOp[k]!),
        { minLength: PARALLEL, maxLength: PARALLEL },
      );

      const counts = new Map<string, number>();
      const statuses = new Map<number, number>();
      let sent = 0;
      const started = Date.now();
      const failures: string[] = [];

      const check = async (req: FuzzRequest): Promise<string | undefined> => {
        let res: FuzzResponse;
        try {
          res = await send(t.baseUrl, agent, req, TIMEOUT_MS);
        } catch (err) {
          return `no answer (${(err as Error).message})`;
        }
        sent++;
        counts.set(req.op, (counts.get(req.op) ?? 0) + 1);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const problems = contractViolations(req, res);
        if (problems.length === 0) return undefined;
        return `${problems.join('; ')}\n  answer: ${res.status} ${res.headers['content-type'] ?? ''} ${JSON.stringify(res.body.slice(0, 400))}`;
      };

      let batches = 0;
      const runs = Math.ceil(RUNS / PARALLEL);
      const fcSeed = SEED ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
      console.log(
        `fuzz: ${runs} batches of ${PARALLEL} requests, seed ${fcSeed} (FUZZ_SEED=${fcSeed} replays this run)`,
      );
      // Every failure is kept (not only the first), so one run reports every distinct bug.
      await fc.assert(
        fc.asyncProperty(batchArb, async (batch) => {
          if (++batches % 100 === 0) await freshTokens();
          const results = await Promise.all(batch.map((req) => check(req)));
          results.forEach((r, k) => {
            if (r) failures.push(`${r}\n  request: ${describeRequest(batch[k]!)}`);
          });
        }),
        { numRuns: runs, seed: fcSeed, interruptAfterTimeLimit: 40 * 60_000 },
      );
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `fuzz: ${sent} requests in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(0)} req/s), ` +
          `${counts.size}/${ops.length} operations, ${reseeds.length} re-seeds (${reseeds.join(', ')}); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
      );
      // One line per distinct (operation, problem), then the full story of the first of each.
      const distinct = new Map<string, string>();
      for (const f of failures) {
        const op = /\[([A-Z]+ [^;\]]+);/.exec(f)?.[1] ?? '?';
        const key = `${op}: ${f
          .split('\n')[0]!
          .replace(/"[^"]*"/g, '…')
          .slice(0, 120)}`;
        if (!distinct.has(key)) distinct.set(key, f);
      }
      if (failures.length) {
        throw new Error(
          `${failures.length} bad answers, ${distinct.size} distinct (seed ${fcSeed}):\n${[...distinct.keys()].join('\n')}\n\n` +
            [...distinct.values()].slice(0, 15).join('\n\n'),
        );
      }
      expect(sent).toBeGreaterThanOrEqual(runs * PARALLEL);
      // Every operation was exercised (with the default run count, dozens of times each).
      const missing = ops.filter((op) => !counts.has(op.key)).map((op) => op.key);
      if (RUNS >= 2_000) expect(missing).toEqual([]);
    },
    45 * 60_000,
  );

  it('sends helmet security headers everywhere, and frame-ancestors none except on the web_message page', async () => {
    const sample = [
      '/health',
      '/auth/me',
      '/.well-known/jwks.json',
      '/no-such-route',
      '/oauth2/authorize?client_id=x',
    ];
    for (const path of sample) {
      const res = await t.http.get(path);
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['x-frame-options'], path).toBe('DENY');
      expect(cspDirective(res, 'frame-ancestors'), path).toEqual(["'none'"]);
      expect(res.headers['referrer-policy'], path).toBeDefined();
      expect(res.headers['cross-origin-opener-policy'], path).toBeDefined();
      expect(res.headers['x-powered-by'], path).toBeUndefined();
    }
    const post = await t.http.post('/auth/login-token').set('Content-Type', 'application/json').send('{');
    expect(post.status).toBe(400);
    expect(cspDirective(post, 'frame-ancestors')).toEqual(["'none'"]);
    expect(post.headers['x-content-type-options']).toBe('nosniff');

    // The web_message page may be framed by the client's allowed origins, and only by them.
    const visitor = await visitorToken(t, web.client.clientId);
    const login = await t.http
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email: web.email }, password: web.password });
    expect(login.status).toBe(200);
    const { challenge } = pkcePair();
    const rs = await t.http
      .post('/auth/v2/redirect-sessions')
      .set(bearer(visitor))
      .send({
        auth: {
          clientId: web.client.clientId,
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
          responseMode: 'web_message',
          responseType: 'code',
          scope: 'offline_access',
          state: 'st',
          sessionToken: login.body.sessionToken,
        },
      });
    expect(rs.status).toBe(200);
    const url = new URL(rs.body.redirectSession.fullUrl as string);
    const page = await t.http.get(url.pathname + url.search);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    // Exactly the client's allowedOrigins: no other source, no wildcard, no 'none' beside them.
    expect(cspDirective(page, 'frame-ancestors')?.sort()).toEqual([
      'https://other.example.com',
      'https://spa.example.com',
    ]);
    expect(page.headers['x-frame-options']).toBeUndefined();
  });

  it('answers a CORS preflight from an unregistered origin without Access-Control-Allow-Origin', async () => {
    for (const origin of [
      'https://evil.example.com',
      'null',
      'https://app.example.com.evil.com',
      'http://app.example.com',
    ]) {
      const res = await t.http
        .options('/auth/login-token')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type,authorization');
      // CORS does not answer a preflight for an origin it refuses: the router does, 404 NOT_FOUND.
      expectError(res, 404, 'NOT_FOUND');
      expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(res.headers['access-control-allow-credentials'], origin).toBeUndefined();
      const simple = await t.http.get('/.well-known/jwks.json').set('Origin', origin);
      expect(simple.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
    // A registered origin (the seeded client's allowedOrigins) is allowed.
    const ok = await t.http
      .options('/auth/login-token')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
  });

  it('answers the inputs the fuzz once broke with a contract 4xx (NUL characters, a nesting bomb in a field)', async () => {
    const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
    const nul = 'a\u0000b';
    const bomb = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
    const cases: {
      name: string;
      run: () => Promise<{ status: number; body: unknown }>;
      status: number;
      code: string;
    }[] = [
      {
        name: 'login with a NUL in client_id',
        run: () => t.http.post('/auth/login-token').send({ ...loginBody(seed), client_id: nul }),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
      {
        name: 'login with a NUL in username',
        run: () => t.http.post('/auth/login-token').send({ ...loginBody(seed), username: nul }),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
      {
        name: 'forgot-password with a NUL in username',
        run: () =>
          t.http
            .post('/auth/forget-password')
            .send({ ...loginBody(seed), password: undefined, username: nul }),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
      {
        name: 'admin user creation with a NUL in username',
        run: () =>
          t.http.post('/admin/users').set(admin).send({
            email: 'nul@example.com',
            username: nul,
            password: seed.password,
            tenantId: seed.tenant.id,
          }),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
      {
        name: 'a NUL in a form body on /oauth2/token',
        run: () =>
          t.http
            .post('/oauth2/token')
            .type('form')
            .send(`grant_type=refresh_token&client_id=${seed.client.clientId}&refresh_token=a%00b`),
        status: 400,
        code: 'VALIDATION_FAILED',
      },
      {
        name: 'GET /admin/clients/a%00b',
        run: () => t.http.get('/admin/clients/a%00b').set(admin),
        status: 400,
        code: 'BAD_REQUEST',
      },
      {
        name: 'GET /admin/users?email=a%00b',
        run: () => t.http.get('/admin/users?email=a%00b').set(admin),
        status: 400,
        code: 'BAD_REQUEST',
      },
      {
        name: 'a lone surrogate in an @IsEmail field (validator threw URIError)',
        run: () =>
          t.http
            .post('/auth/v2/recovery/send-email')
            .set(bearer(tokens.visitor))
            .send({
              email: 'ada@example.com\ud800',
              redirect: { url: 'https://spa.example.com/callback', clientId: web.client.clientId },
            }),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
      {
        name: 'a nesting bomb of depth 5,000 in a string field',
        run: () =>
          t.http
            .post('/auth/v2/verify/resend')
            .set(bearer(tokens.visitor))
            .set('Content-Type', 'application/json')
            .send(`{"stateToken":${bomb}}`),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
    ];
    for (const c of cases) {
      const res = await c.run();
      expect({ name: c.name, status: res.status, body: res.body }).toMatchObject({
        name: c.name,
        status: c.status,
        body: { statusCode: c.status, code: c.code, message: expect.any(String) },
      });
    }
  });

  it('refuses a body over 100 KB with 413 PAYLOAD_TOO_LARGE and takes one just under it', async () => {
    const over = await t.http
      .post('/auth/login-token')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ ...loginBody(seed), pad: 'a'.repeat(103_000) }));
    expect(over.status).toBe(413);
    expect(over.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    const under = await t.http
      .post('/auth/login-token')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ ...loginBody(seed), password: 'a'.repeat(99_000) }));
    // Parsed, then refused by validation (a password is at most 1,024 characters), not by size.
    expectError(under, 422, 'VALIDATION_FAILED');
    expect(under.body.details).toEqual([expect.objectContaining({ field: 'password' })]);
  });
});
