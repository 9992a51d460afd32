import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { Errors } from '../common/errors/app-error.js';

/**
 * A SQL statement of a module's `*.queries.ts`. With a `name` it is a prepared statement: parsed
 * and planned once per connection, then only bound and executed (the hot paths: refresh, /auth/me,
 * login). Names are unique across the service (`<module>.<what>`).
 */
export interface Statement {
  readonly name?: string;
  readonly text: string;
}

/**
 * A data-modifying step of another module's statement (a common table expression's body), so
 * that a change and what must be written with it take one round trip: `text` reads its rows from
 * the `source` the caller named and numbers its parameters from the caller's `firstParam`.
 */
export interface StatementStep {
  readonly text: string;
  readonly params: readonly unknown[];
}

/** A named (prepared) statement. */
export function prepared(name: string, text: string): Statement {
  return { name, text };
}

/**
 * What a query function runs on: the pool (each statement on its own) or a transaction. Query
 * functions take it as their first argument, so the caller decides whether they share a
 * transaction; there is no optional "manager" threaded through services.
 */
export interface Queryable {
  /** Every row the statement answers (also for INSERT/UPDATE/DELETE ... RETURNING). */
  rows<T>(statement: Statement | string, params?: readonly unknown[]): Promise<T[]>;
  /** The first row, or undefined. */
  row<T>(statement: Statement | string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs the statement; answers how many rows it touched. */
  exec(statement: Statement | string, params?: readonly unknown[]): Promise<number>;
}

/** A transaction: everything run on it commits or rolls back together. */
export type Tx = Queryable & { readonly inTransaction: true };

type PgRunner = Pick<pg.PoolClient, 'query'>;

function config(statement: Statement | string, params: readonly unknown[] = []): pg.QueryConfig {
  const s = typeof statement === 'string' ? { text: statement } : statement;
  return { name: s.name, text: s.text, values: params as unknown[] };
}

class Runner implements Queryable {
  constructor(private readonly runner: PgRunner) {}

  async rows<T>(statement: Statement | string, params?: readonly unknown[]): Promise<T[]> {
    return (await this.runner.query(config(statement, params))).rows as T[];
  }

  async row<T>(statement: Statement | string, params?: readonly unknown[]): Promise<T | undefined> {
    return (await this.rows<T>(statement, params))[0];
  }

  async exec(statement: Statement | string, params?: readonly unknown[]): Promise<number> {
    return (await this.runner.query(config(statement, params))).rowCount ?? 0;
  }
}

/**
 * What PostgreSQL triggers announce (see the migrations), heard by every connection of the pool:
 * `auth_accounts`, a change to what GET /auth/me answers (tokens/account-cache.ts).
 */
export const HEARD_CHANNELS = ['auth_accounts'] as const;
export type HeardChannel = (typeof HEARD_CHANNELS)[number];

/**
 * The one data-access entry point: `db.rows/row/exec` for single statements, `db.transaction`
 * for a unit of work, on its own pg pool (opened by DatabaseModule, after the migrations; every
 * statement of the service lives in a module's `*.queries.ts`). The pool is ended when the
 * application shuts down, after the HTTP server has stopped taking requests.
 */
export class Db implements Queryable, OnApplicationShutdown {
  private readonly pool: pg.Pool;
  private readonly direct: Runner;
  private ended: Promise<void> | undefined;
  private readonly heard = new Map<string, ((payload: string) => void)[]>();

  /** Opens no connection yet: the pool connects on the first statement. */
  constructor(options: pg.PoolConfig) {
    this.pool = new pg.Pool({ ...options, onConnect: (client) => this.enlist(client) });
    // An idle connection the server closed (e.g. Postgres restarting): the pool drops it, and a
    // pool error without a listener would crash the process.
    const logger = new Logger('Database');
    this.pool.on('error', (err) => logger.warn(`idle database connection lost: ${err.message}`));
    this.direct = new Runner(this.pool);
  }

  /**
   * Hands `handler` what the pool's connections hear on `channel` (one of HEARD_CHANNELS, which
   * every connection LISTENs on before its first statement). PostgreSQL delivers a session's own
   * notifications before it answers the statement or COMMIT that sent them, so a change this
   * instance makes is heard before the write's promise resolves: read-your-writes for what an
   * instance keeps in memory. It does not replace PgListener: an idle pool may hold no connection.
   */
  hear(channel: HeardChannel, handler: (payload: string) => void): void {
    this.heard.set(channel, [...(this.heard.get(channel) ?? []), handler]);
  }

  private async enlist(client: pg.ClientBase): Promise<void> {
    client.on('notification', (msg) => {
      for (const handler of this.heard.get(msg.channel) ?? []) {
        try {
          handler(msg.payload ?? '');
        } catch {
          // A handler's failure must not break the connection's parser; handlers do not throw.
        }
      }
    });
    for (const channel of HEARD_CHANNELS) await client.query(`LISTEN ${channel}`);
  }

  rows<T>(statement: Statement | string, params?: readonly unknown[]): Promise<T[]> {
    return this.direct.rows<T>(statement, params);
  }

  row<T>(statement: Statement | string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.direct.row<T>(statement, params);
  }

  exec(statement: Statement | string, params?: readonly unknown[]): Promise<number> {
    return this.direct.exec(statement, params);
  }

  /** Closes every connection of the pool (once; later calls wait for the same close). */
  end(): Promise<void> {
    this.ended ??= this.pool.end();
    return this.ended;
  }

  onApplicationShutdown(): Promise<void> {
    return this.end();
  }

  /**
   * Runs `work` in one transaction (READ COMMITTED): committed when it resolves, rolled back when
   * it throws (and the error re-thrown). A connection the server broke is destroyed, not reused;
   * the transaction then fails with the connection's error (503 UNAVAILABLE), never crashes the
   * process (a checked-out pg client has no error listener of the pool's).
   */
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    let lost: Error | undefined;
    const onLost = (err: Error) => {
      lost = err;
    };
    client.on('error', onLost);
    try {
      await client.query('BEGIN');
      const tx = Object.assign(new Runner(client), { inTransaction: true as const });
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      throw lost ?? err;
    } finally {
      client.removeListener('error', onLost);
      client.release(broken ?? lost);
    }
  }
}

/** PostgreSQL's SQLSTATE of an error thrown by a query (e.g. `23505`), if it has one. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** A unique violation (of `constraint`, when given). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (sqlState(err) !== '23505') return false;
  if (!constraint) return true;
  return (err as { constraint?: string }).constraint === constraint;
}

/** The 409 of each unique constraint a caller can act on: constraint name -> [code, message]. */
export type UniqueConflicts = Readonly<Record<string, readonly [code: string, message: string]>>;

/**
 * Rethrows a failed write as the error a caller can act on: a unique violation as the 409 its
 * constraint has in `conflicts` (else 409 CONFLICT); a foreign key violation (the referenced row
 * vanished between an existence check and the write: a concurrent delete) as 404. Anything else
 * is rethrown unchanged.
 */
export function mapUniqueViolation(err: unknown, conflicts: UniqueConflicts = {}): never {
  const state = sqlState(err);
  if (state === '23505') {
    const conflict = conflicts[(err as { constraint?: string }).constraint ?? ''];
    throw Errors.conflict(conflict?.[0] ?? 'CONFLICT', conflict?.[1] ?? 'The resource already exists');
  }
  if (state === '23503') throw Errors.notFound('A referenced resource no longer exists');
  throw err;
}
