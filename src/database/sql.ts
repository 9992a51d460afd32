import type { EntityManager } from 'typeorm';

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
