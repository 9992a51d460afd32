// The goals of the benchmark, in one place. Each figure of the service is compared with
// a bound measured in the same run on the same machine where one exists (the goal is then on the
// ratio figure / bound), else with an absolute limit. The run prints every row with met / not met;
// no figure ever changes the exit code.

/** pgbench clients of the refresh-shaped transaction (its bound). */
export const PGBENCH_CLIENTS = 8;

/** argon2id parameters of the raw hash rate; the service's stored hashes are checked against them. */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export type TargetKey =
  'refreshRate' | 'refreshP99' | 'meRate' | 'loginRate' | 'stormMeP99' | 'peakRss' | 'ready' | 'non2xx';

export interface Target {
  key: TargetKey;
  /** What is measured on the service (one instance). */
  figure: string;
  unit: string;
  /** The bound measured in the same run; when set, the goal applies to figure / bound. */
  bound?: { name: string; what: string; unit: string };
  op: '>=' | '<=';
  limit: number;
}

export const TARGETS: readonly Target[] = [
  {
    key: 'refreshRate',
    figure: 'POST /auth/token-refresh req/s',
    unit: 'req/s',
    bound: {
      name: 'pgbench',
      what: `${PGBENCH_CLIENTS} clients, -M prepared, on the bench database: a refresh-shaped transaction (UPDATE a session row + INSERT a login_activity row), tx/s`,
      unit: 'tx/s',
    },
    op: '>=',
    limit: 0.2,
  },
  { key: 'refreshP99', figure: 'POST /auth/token-refresh p99', unit: 'ms', op: '<=', limit: 50 },
  {
    key: 'meRate',
    figure: 'GET /auth/me req/s',
    unit: 'req/s',
    bound: {
      name: 'bare node:http',
      what: 'a bare node:http server verifying the same access token and answering the same JSON, req/s',
      unit: 'req/s',
    },
    op: '>=',
    limit: 0.6,
  },
  {
    key: 'loginRate',
    figure: 'POST /auth/login-token req/s',
    unit: 'req/s',
    bound: {
      name: 'argon2id',
      what: `raw @node-rs/argon2 argon2id (m=${ARGON2_PARAMS.memoryCost}, t=${ARGON2_PARAMS.timeCost}, p=${ARGON2_PARAMS.parallelism}), one hash in flight per core, hashes/s`,
      unit: 'hashes/s',
    },
    op: '>=',
    limit: 0.9,
  },
  {
    key: 'stormMeP99',
    figure: 'GET /auth/me p99 during a login storm',
    unit: 'ms',
    op: '<=',
    limit: 20,
  },
  { key: 'peakRss', figure: 'peak RSS of the service', unit: 'MB', op: '<=', limit: 250 },
  {
    key: 'ready',
    figure: 'start to ready (migrated database, median)',
    unit: 'ms',
    bound: {
      name: 'minimal Nest',
      what: 'a minimal Nest app (one route, the Fastify adapter the service uses, same node_modules), spawn to first 200, median',
      unit: 'ms',
    },
    op: '<=',
    limit: 2,
  },
  { key: 'non2xx', figure: 'non-2xx answers, all measured runs', unit: '', op: '<=', limit: 0 },
];

/** A figure (and its bound) as measured; null when it could not be measured. */
export interface Measured {
  value: number | null;
  bound?: number | null;
  /** Context shown next to the figure (e.g. the rate the storm asked for). */
  note?: string;
}

export interface Check {
  key: TargetKey;
  figure: string;
  value: number | null;
  unit: string;
  bound: { name: string; what: string; value: number | null; unit: string } | null;
  ratio: number | null;
  goal: string;
  /** null: not measured. */
  met: boolean | null;
  note?: string;
}

export function evaluate(measured: Record<TargetKey, Measured>): Check[] {
  return TARGETS.map((t) => {
    const m = measured[t.key];
    const boundValue = t.bound ? (m.bound ?? null) : null;
    const ratio =
      t.bound && m.value !== null && boundValue !== null && boundValue > 0
        ? Number((m.value / boundValue).toFixed(3))
        : null;
    const compared = t.bound ? ratio : m.value;
    const met = compared === null ? null : t.op === '>=' ? compared >= t.limit : compared <= t.limit;
    const goal = t.bound
      ? `${t.op} ${t.limit} x`
      : t.limit === 0 && t.op === '<='
        ? '0'
        : `${t.op} ${t.limit}${t.unit ? ` ${t.unit}` : ''}`;
    return {
      key: t.key,
      figure: t.figure,
      value: m.value,
      unit: t.unit,
      bound: t.bound ? { ...t.bound, value: boundValue } : null,
      ratio,
      goal,
      met,
      ...(m.note ? { note: m.note } : {}),
    };
  });
}
