import type pg from 'pg';

/**
 * How every connection of the service reaches PostgreSQL: the pool of `Db`, the `LISTEN`
 * connection and the migration runner's connection. A connection attempt gives up after 3 s.
 */
export function connectionOptions(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    connectionTimeoutMillis: 3000,
    keepAlive: true,
    application_name: 'auth-bff',
  };
}

/**
 * The pool `Db` runs every statement on: `size` connections (DATABASE_POOL_SIZE), and a query
 * that has not answered in 4.5 s fails, so a request answers 503 within 5 s while the database is
 * unreachable, and never hangs.
 */
export function poolOptions(url: string, size: number): pg.PoolConfig {
  return { ...connectionOptions(url), max: size, query_timeout: 4500 };
}
