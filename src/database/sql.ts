import type { EntityManager } from 'typeorm';
import type { Queryable, Statement } from './db.js';

/**
 * Rows of a raw query. TypeORM answers `[rows, count]` for UPDATE/DELETE and `rows` otherwise;
 * this hides the difference so `UPDATE ... RETURNING` reads like a SELECT.
 */
export async function rows<T>(m: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await m.query(sql, params);
  if (/^\s*(UPDATE|DELETE)\b/i.test(sql)) return (result as [T[], number])[0];
  return result as T[];
}

export async function firstRow<T>(
  m: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T | undefined> {
  return (await rows<T>(m, sql, params))[0];
}

/**
 * A `Queryable` over a TypeORM EntityManager, for code that still holds one (a transaction begun
 * by a service not yet moved to Db) and must run a `*.queries.ts` function inside it.
 */
export function queryableOf(m: EntityManager): Queryable {
  const text = (s: Statement | string) => (typeof s === 'string' ? s : s.text);
  return {
    rows: <T>(s: Statement | string, params: readonly unknown[] = []) => rows<T>(m, text(s), [...params]),
    row: async <T>(s: Statement | string, params: readonly unknown[] = []) =>
      (await rows<T>(m, text(s), [...params]))[0],
    exec: async (s: Statement | string, params: readonly unknown[] = []) => {
      const result = await m.query(text(s), [...params]);
      // TypeORM answers [rows, count] for UPDATE/DELETE, rows for the rest.
      return Array.isArray(result) && result.length === 2 && typeof result[1] === 'number'
        ? result[1]
        : Array.isArray(result)
          ? result.length
          : 0;
    },
  };
}
