import { columns, ColumnsOf, insertion } from '../database/columns.js';
import { prepared, Queryable, StatementStep } from '../database/db.js';
import type { ParsedFilter } from './filter/loopback-filter.js';
import { buildWhere, SqlParams } from './filter/loopback-filter.js';

/** A row of login_activity as the reports read it (sealed fields still sealed). */
export interface LoginActivityRecord {
  id: string;
  actor: string;
  tenantId: string;
  loginTime: Date;
  /** AES-256-GCM sealed JSON of the token's claims. */
  tokenPayloadEnc: string | null;
  loginType: string;
  authMethod: string;
  deviceInfo: string | null;
  /** AES-256-GCM sealed IP address. */
  ipAddressEnc: string | null;
}

/** A row to write; the caller chooses the id (sealed fields are bound to it). */
export interface NewLoginActivity {
  id: string;
  actor: string;
  tenantId: string;
  tokenPayloadEnc: string | null;
  loginType: string;
  authMethod: string;
  deviceInfo: string | null;
  userAgent: string | null;
  ipAddressEnc: string | null;
}

/** The row's columns as a `LoginActivityRecord`. */
const ACTIVITY: ColumnsOf<LoginActivityRecord> = {
  id: 'id',
  actor: 'actor',
  tenantId: 'tenant_id',
  loginTime: 'login_time',
  tokenPayloadEnc: 'token_payload_enc',
  loginType: 'login_type',
  authMethod: 'auth_method',
  deviceInfo: 'device_info',
  ipAddressEnc: 'ip_address_enc',
};

const COLUMNS = columns(ACTIVITY);

/** The columns a new row is written with. */
const WRITTEN: Readonly<Record<keyof NewLoginActivity, string>> = {
  id: 'id',
  actor: 'actor',
  tenantId: 'tenant_id',
  tokenPayloadEnc: 'token_payload_enc',
  loginType: 'login_type',
  authMethod: 'auth_method',
  deviceInfo: 'device_info',
  userAgent: 'user_agent',
  ipAddressEnc: 'ip_address_enc',
};

/** Writes one audit row (inside the caller's transaction when `q` is one). */
export async function insertLoginActivity(q: Queryable, e: NewLoginActivity): Promise<void> {
  const { names, placeholders, values } = insertion(WRITTEN, e);
  await q.exec(
    prepared('login_activity.insert', `INSERT INTO login_activity (${names}) VALUES (${placeholders})`),
    values,
  );
}

/**
 * The same row as a step of another statement: written once per row of `source` (not at all
 * when the change it audits wrote nothing), parameters numbered from `firstParam`.
 */
export function loginActivityStep(e: NewLoginActivity, source: string, firstParam: number): StatementStep {
  const { names, placeholders, values } = insertion(WRITTEN, e, firstParam);
  return {
    text: `INSERT INTO login_activity (${names}) SELECT ${placeholders} FROM ${source}`,
    params: values,
  };
}

/** The tenant's rows a parsed LoopBack filter selects, in its order, limit and offset. */
export async function findLoginActivity(
  q: Queryable,
  tenantId: string,
  filter: ParsedFilter,
): Promise<LoginActivityRecord[]> {
  const params = new SqlParams([tenantId]);
  const where = buildWhere(filter.where, params);
  const limit = params.add(filter.limit, 'int');
  const offset = params.add(filter.offset, 'bigint');
  return q.rows<LoginActivityRecord>(
    `SELECT ${COLUMNS} FROM login_activity
     WHERE tenant_id = $1::uuid AND ${where}
     ORDER BY ${filter.order.join(', ')}
     LIMIT ${limit} OFFSET ${offset}`,
    params.values,
  );
}

/** How many of the tenant's rows a LoopBack `where` matches. */
export async function countLoginActivity(q: Queryable, tenantId: string, where: unknown): Promise<number> {
  const params = new SqlParams([tenantId]);
  const clause = buildWhere(where, params);
  const row = await q.row<{ count: string }>(
    `SELECT count(*) AS count FROM login_activity WHERE tenant_id = $1::uuid AND ${clause}`,
    params.values,
  );
  return Number(row?.count ?? 0);
}

export async function findLoginActivityById(
  q: Queryable,
  tenantId: string,
  id: string,
): Promise<LoginActivityRecord | undefined> {
  return q.row<LoginActivityRecord>(
    `SELECT ${COLUMNS} FROM login_activity WHERE id = $1::uuid AND tenant_id = $2::uuid LIMIT 1`,
    [id, tenantId],
  );
}

/** Per bucket (`date_trunc` unit, named by a `to_char` format), loginType and actor: the first row. */
export async function firstActivityPerBucket(
  q: Queryable,
  tenantId: string,
  window: { start: Date; end: Date },
  bucket: { unit: string; format: string },
  actors?: { ids: string[]; inclusion: boolean },
): Promise<(LoginActivityRecord & { period: string })[]> {
  const params = new SqlParams([tenantId, window.start.toISOString(), window.end.toISOString()]);
  let actorClause = 'TRUE';
  if (actors?.ids.length) {
    const ref = params.add(actors.ids, 'uuid[]');
    actorClause = actors.inclusion ? `actor = ANY(${ref})` : `actor <> ALL(${ref})`;
  }
  const unit = params.add(bucket.unit, 'text');
  const format = params.add(bucket.format, 'text');
  // DISTINCT ON keeps the first row of each (bucket, type, actor) in ORDER BY order: the earliest.
  return q.rows<LoginActivityRecord & { period: string }>(
    `SELECT ${COLUMNS}, to_char(bucket, ${format}) AS period FROM (
       SELECT DISTINCT ON (bucket, login_type, actor)
              date_trunc(${unit}, login_time AT TIME ZONE 'UTC') AS bucket, ${Object.values(ACTIVITY).join(', ')}
       FROM login_activity
       WHERE tenant_id = $1::uuid AND login_time BETWEEN $2::timestamptz AND $3::timestamptz
         AND ${actorClause}
       ORDER BY bucket, login_type, actor, login_time, id
     ) firsts
     ORDER BY bucket, login_type, login_time, id`,
    params.values,
  );
}

/** Creates the partitions of this month and the next two (idempotent). */
export async function ensureUpcomingPartitions(q: Queryable): Promise<void> {
  await q.rows(
    `SELECT ensure_login_activity_partition((now() + (n || ' month')::interval)::date) FROM generate_series(0, 2) AS n`,
  );
}

/** The names of the monthly partitions (`login_activity_YYYY_MM`). */
export async function monthlyPartitions(q: Queryable): Promise<string[]> {
  const rows = await q.rows<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'login_activity' AND c.relname ~ '^login_activity_\\d{4}_\\d{2}$'`,
  );
  return rows.map((r) => r.name);
}

/** Drops one monthly partition; `name` must come from monthlyPartitions. */
export async function dropPartition(q: Queryable, name: string): Promise<void> {
  if (!/^login_activity_\d{4}_\d{2}$/.test(name)) throw new Error(`not a login-activity partition: ${name}`);
  await q.exec(`DROP TABLE IF EXISTS "${name}"`);
}

/** Deletes the rows of the default partition older than `cutoff`. */
export async function purgeDefaultPartition(q: Queryable, cutoff: Date): Promise<void> {
  await q.exec(`DELETE FROM login_activity_default WHERE login_time < $1`, [cutoff]);
}

/** Bumps the tenant's failure count of this UTC hour and method by one. */
export async function countLoginFailure(q: Queryable, tenantId: string, authMethod: string): Promise<void> {
  await q.exec(
    `INSERT INTO login_failure (tenant_id, hour, auth_method, failures)
     VALUES ($1, date_trunc('hour', now()), $2, 1)
     ON CONFLICT (tenant_id, hour, auth_method) DO UPDATE SET failures = login_failure.failures + 1`,
    [tenantId, authMethod],
  );
}

/** Failure counts of the tenant between start and end (whole UTC hours), per bucket and method. */
export async function loginFailuresPerBucket(
  q: Queryable,
  tenantId: string,
  window: { start: Date; end: Date },
  bucket: { unit: string; format: string },
): Promise<{ period: string; authMethod: string; failures: number }[]> {
  const { unit, format } = bucket;
  const rows = await q.rows<{ period: string; auth_method: string; failures: number }>(
    `SELECT to_char(date_trunc('${unit}', hour AT TIME ZONE 'UTC'), '${format}') AS period, auth_method,
            sum(failures)::int AS failures
     FROM login_failure
     WHERE tenant_id = $1 AND hour >= date_trunc('hour', $2::timestamptz) AND hour <= $3
     GROUP BY 1, 2, date_trunc('${unit}', hour AT TIME ZONE 'UTC')
     ORDER BY date_trunc('${unit}', hour AT TIME ZONE 'UTC'), auth_method`,
    [tenantId, window.start, window.end],
  );
  return rows.map((r) => ({ period: r.period, authMethod: r.auth_method, failures: r.failures }));
}

/** Deletes the failure counts older than `cutoff`. */
export async function purgeLoginFailures(q: Queryable, cutoff: Date): Promise<void> {
  await q.exec('DELETE FROM login_failure WHERE hour < $1', [cutoff]);
}
