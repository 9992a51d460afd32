import { Queryable } from '../database/db.js';

/** One column holding SecretBox-sealed values, and the (unique, ordered) key that finds its row. */
export interface SealedColumn {
  table: string;
  key: string;
  /** The key's SQL type, so the keyset bound compares natively (and uses the index). */
  keyType: 'uuid' | 'varchar';
  column: string;
}

/**
 * The next `limit` values of the column not starting with `currentPrefix`, keyset-paginated by
 * the row key (after `after`, the last key of the previous batch, or from the start when null).
 * Table, key and column come from SEALED_COLUMNS, never from input.
 */
export function staleSealedValues(
  q: Queryable,
  spec: SealedColumn,
  currentPrefix: string,
  after: string | null,
  limit: number,
): Promise<{ k: string; v: string }[]> {
  const { table, key, keyType, column } = spec;
  return q.rows<{ k: string; v: string }>(
    `SELECT ${key}::text AS k, ${column} AS v FROM ${table}
     WHERE ${column} IS NOT NULL AND left(${column}, length($1)) <> $1
       AND ($2::text IS NULL OR ${key} > $2::${keyType})
     ORDER BY ${key} LIMIT $3`,
    [currentPrefix, after, limit],
  );
}

/** Compare-and-set: writes `resealed` only while the row still holds `old`; answers whether it did. */
export async function resealValue(
  q: Queryable,
  spec: SealedColumn,
  rowKey: string,
  old: string,
  resealed: string,
): Promise<boolean> {
  const { table, key, keyType, column } = spec;
  const affected = await q.exec(
    `UPDATE ${table} SET ${column} = $1 WHERE ${key} = $2::${keyType} AND ${column} = $3`,
    [resealed, rowKey, old],
  );
  return affected > 0;
}
