// What the load drives, the sanity probes that run before it (so a broken route stops the run
// instead of filling a table with errors), and one pass of every run over 1 or 2 instances.
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { call, expectOk, mapLimit, required } from './http.js';
import { drive, measure, pace, type RunResult, type Spec, type Targets } from './load.js';
import { CodePool, type CodeTemplate, pkce, RefreshPool } from './pools.js';
import { memoryOf } from './processes.js';
import type { Seed } from './provisioning.js';
import { BenchError, log, type Settings } from './settings.js';
import type { Instance } from './service.js';

const JSON_POST = { 'Content-Type': 'application/json' };

/** Rotates over fixed bodies, one per request. */
function rotating(path: string, bodies: string[], headers: Record<string, string>): Spec {
  let i = 0;
  return (base) => ({
    url: base,
    requests: [
      {
        method: 'POST',
        path,
        headers,
        setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }),
      },
    ],
  });
}

export interface Session {
  accessToken: string;
  refreshToken: string;
}

/** Everything the runs need, checked against the service once before any load. */
export interface Scenario {
  seed: Seed;
  /** The body of POST /auth/login-token for the i-th user. */
  loginRequest: (i: number) => Record<string, string>;
  login: (i: number) => Promise<Session>;
  loginSpec: Spec;
  headlessSpec: Spec;
  meSpec: Spec;
  meRequest: { path: string; headers: Record<string, string> };
  me: { token: string; body: unknown };
  refresh: RefreshPool;
  codes: CodePool;
  warnings: string[];
}

export async function prepareScenario(base: string, seed: Seed, db: pg.Client): Promise<Scenario> {
  const warnings: string[] = [];
  const loginRequest = (i: number) => {
    const u = seed.users[i % seed.users.length]!;
    return {
      client_id: seed.client.clientId,
      client_secret: seed.client.clientSecret,
      username: u.email,
      password: u.password,
    };
  };
  const login = async (i: number): Promise<Session> => {
    const res = await expectOk(
      call(base, 'POST', '/auth/login-token', { body: loginRequest(i) }),
      'POST /auth/login-token',
    );
    return {
      accessToken: required(res, 'accessToken', 'POST /auth/login-token'),
      refreshToken: required(res, 'refreshToken', 'POST /auth/login-token'),
    };
  };

  // /auth/me with one session's token.
  const meSession = await login(0);
  const meAnswer = await expectOk(
    call(base, 'GET', '/auth/me', { token: meSession.accessToken }),
    'GET /auth/me',
  );

  // Refresh rotates: a new token, and the old one is refused as reused.
  const probe = await login(1);
  const rotated = await expectOk(
    call(base, 'POST', '/auth/token-refresh', { body: { refreshToken: probe.refreshToken } }),
    'POST /auth/token-refresh',
  );
  if (required(rotated, 'refreshToken', 'POST /auth/token-refresh') === probe.refreshToken)
    throw new BenchError('token-refresh answered the same refresh token: no rotation');
  const replay = await call(base, 'POST', '/auth/token-refresh', {
    body: { refreshToken: probe.refreshToken },
  });
  if (replay.status !== 401 || replay.text.indexOf('REFRESH_TOKEN_REUSED') < 0)
    warnings.push(
      `a rotated refresh token answered ${replay.status} ${replay.text.slice(0, 120)}, not 401 REFRESH_TOKEN_REUSED`,
    );

  // Code exchange: real /auth/login codes with a PKCE challenge as templates of the cloned codes.
  const loginCode = async (i: number): Promise<CodeTemplate> => {
    const p = pkce();
    const res = await expectOk(
      call(base, 'POST', '/auth/login', {
        body: { ...loginRequest(i), code_challenge: p.challenge, code_challenge_method: 'S256' },
      }),
      'POST /auth/login',
    );
    return { code: required(res, 'code', 'POST /auth/login'), verifier: p.verifier };
  };
  const templates = await mapLimit([0, 1, 2, 3].slice(0, seed.users.length), 2, loginCode);
  const codes = new CodePool(seed.client, db, templates);
  await codes.topUp(1);
  const item = codes.take()!;
  const exchanged = await expectOk(
    call(base, 'POST', '/oauth2/token', { body: codes.body(item) }),
    'POST /oauth2/token (a cloned code)',
  );
  required(exchanged, 'access_token', 'POST /oauth2/token');
  const respent = await call(base, 'POST', '/oauth2/token', { body: codes.body(item) });
  if (respent.status < 400) throw new BenchError(`a spent code was exchanged again (${respent.status})`);

  // The headless route.
  const headless = await expectOk(
    call(base, 'POST', '/api/v1/headless/auth_token', {
      body: { email: seed.users[0]!.email },
      token: seed.headlessToken,
    }),
    'POST /api/v1/headless/auth_token',
  );
  required(headless, 'access_token', 'POST /api/v1/headless/auth_token');

  const meHeaders = { Authorization: `Bearer ${meSession.accessToken}` };
  return {
    seed,
    loginRequest,
    login,
    loginSpec: rotating(
      '/auth/login-token',
      seed.users.map((_, i) => JSON.stringify(loginRequest(i))),
      JSON_POST,
    ),
    headlessSpec: rotating(
      '/api/v1/headless/auth_token',
      seed.users.map((u) => JSON.stringify({ email: u.email })),
      { ...JSON_POST, Authorization: `Bearer ${seed.headlessToken}` },
    ),
    meSpec: (b) => ({ url: `${b}/auth/me`, method: 'GET', headers: meHeaders }),
    meRequest: { path: '/auth/me', headers: meHeaders },
    me: { token: meSession.accessToken, body: meAnswer.body },
    refresh: new RefreshPool(),
    codes,
    warnings,
  };
}

export interface PassResults {
  loginToken: RunResult;
  tokenRefresh: RunResult & { rotation: ReturnType<RefreshPool['summary']> & { rotatedInWarmup: number } };
  oauth2Code: RunResult & { exchange: ReturnType<CodePool['summary']> };
  headless: RunResult;
  me: RunResult;
  stormLogin: RunResult;
  stormMe: RunResult;
  /** Highest VmHWM of the instances of this pass at its end, MB. */
  peakRssMb: number | null;
}

/** The runs of a pass, named, in the order they ran. */
export function runsOf(p: PassResults, stormRate: number): [string, RunResult][] {
  return [
    ['POST /auth/login-token', p.loginToken],
    ['POST /auth/token-refresh', p.tokenRefresh],
    ['POST /oauth2/token (code)', p.oauth2Code],
    ['POST /api/v1/headless/auth_token', p.headless],
    ['GET /auth/me', p.me],
    ['storm: POST /auth/login-token', p.stormLogin],
    [`storm: GET /auth/me @${stormRate}/s`, p.stormMe],
  ];
}

/** Every run on `instances` (connections split between them, req/s summed, latencies merged). */
export async function runPass(settings: Settings, s: Scenario, instances: Instance[]): Promise<PassResults> {
  const targets: Targets = { bases: instances.map((i) => i.base), pids: instances.map((i) => i.child.pid!) };
  const tag = `[${instances.length} instance${instances.length === 1 ? '' : 's'}]`;
  const runs = { warmup: settings.warmup, duration: settings.duration, connections: settings.connections };
  // The /auth/me token (issued by instance 1) must be accepted by every instance.
  for (const b of targets.bases)
    await expectOk(call(b, 'GET', '/auth/me', { token: s.me.token }), `GET /auth/me on ${b}`);

  log(`${tag} POST /auth/login-token ...`);
  const loginToken = await measure(targets, s.loginSpec, runs);

  log(`${tag} POST /auth/token-refresh ...`);
  // Each run takes one token per connection and may lose one per connection at its end (answers
  // cut off by the stop): two per connection before every run.
  const topUp = async () => {
    const missing = Math.max(0, 2 * settings.connections - s.refresh.tokens.length);
    const minted = await mapLimit(
      Array.from({ length: missing }, (_, i) => i),
      4,
      (i) => s.login(i),
    );
    s.refresh.tokens.push(...minted.map((m) => m.refreshToken));
  };
  s.refresh.reset();
  let rotatedInWarmup = 0;
  const refreshSpec: Spec = (b) => ({ url: b, requests: [s.refresh.request] });
  const refreshRun = await measure(targets, refreshSpec, {
    ...runs,
    beforeWarmup: topUp,
    beforeMeasured: async () => {
      rotatedInWarmup = s.refresh.summary().ok;
      s.refresh.reset();
      await topUp();
    },
  });
  const rotation = { ...s.refresh.summary(), rotatedInWarmup };
  if (rotation.presentedTwice > 0)
    throw new BenchError(`bench bug: ${rotation.presentedTwice} refresh tokens presented twice`);

  log(`${tag} POST /oauth2/token (authorization_code) ...`);
  // Enough fresh codes for 1,500 exchanges/s over a run (a shortfall is counted and reported).
  const codesFor = (seconds: number) => Math.max(500, seconds * 1500);
  const codeSpec: Spec = (b) => ({ url: b, requests: [s.codes.request] });
  const codeRun = await measure(targets, codeSpec, {
    ...runs,
    beforeWarmup: () => s.codes.topUp(codesFor(settings.warmup)),
    beforeMeasured: async () => {
      s.codes.reset();
      await s.codes.topUp(codesFor(settings.duration));
    },
  });

  log(`${tag} POST /api/v1/headless/auth_token ...`);
  const headless = await measure(targets, s.headlessSpec, runs);

  log(`${tag} GET /auth/me ...`);
  const me = await measure(targets, s.meSpec, runs);

  // The storm: login-token saturates the CPU for the whole run; /auth/me at a fixed, modest rate
  // is measured inside that window (from 1 s after its start to 1 s before its end).
  log(
    `${tag} login storm: GET /auth/me at ${settings.stormMeRate} req/s during login-token at ${settings.connections} connections ...`,
  );
  const [stormLogin, stormMe] = await Promise.all([
    drive(targets, s.loginSpec, { connections: settings.connections, duration: settings.duration }),
    (async () => {
      await sleep(settings.duration > 2 ? 1000 : 0);
      return pace(targets, s.meRequest, {
        rate: settings.stormMeRate,
        duration: Math.max(1, settings.duration - 2),
      });
    })(),
  ]);

  const peaks = instances.map((i) => memoryOf(i.child.pid).peakRssMb ?? 0);
  return {
    loginToken,
    tokenRefresh: { ...refreshRun, rotation },
    oauth2Code: { ...codeRun, exchange: s.codes.summary() },
    headless,
    me,
    stormLogin,
    stormMe,
    peakRssMb: Math.max(...peaks) || null,
  };
}
