/**
 * A table's map of property -> column, and the SQL pieces built from it: the SELECT list that
 * answers rows in the interface's shape, and the pieces of writes whose fields vary (a PATCH sets
 * only what it names). The statements themselves stay in the modules' queries files.
 */

/**
 * The SELECT (or RETURNING) list of a table, with each column aliased to its camelCase field, so
 * rows come back already in the shape of the module's interface and need no field-by-field
 * mapper. `spec` maps every field to its column, optionally with a cast that gives the field its
 * JavaScript type in SQL (e.g. `community_id::float8` for a bigint answered as a number):
 *
 * ```ts
 * const TENANT = columns<Tenant>({ id: 'id', communityId: 'community_id::float8', createdAt: 'created_at' });
 * // 'id, community_id::float8 AS "communityId", created_at AS "createdAt"'
 * ```
 *
 * With `alias`, every column is qualified by it (`m.user_id AS "userId"`), for joins.
 */
export function columns<T extends object>(spec: ColumnsOf<T>, alias?: string): string {
  return Object.entries<string>(spec)
    .map(([field, column]) => {
      const qualified = alias ? `${alias}.${column}` : column;
      return column === field ? qualified : `${qualified} AS "${field}"`;
    })
    .join(', ');
}

/** Every field of `T` with the column (or cast expression) it is read from: the input of `columns`. */
export type ColumnsOf<T> = { readonly [K in keyof T]-?: string };

/** `SET` assignments (`col = $n`, numbered from `first`) and their values, for the defined fields. */
export function assignments<K extends string>(
  columns: Readonly<Record<K, string>>,
  patch: Partial<Record<K, unknown>>,
  first: number,
): { sets: string[]; values: unknown[] } {
  const keys = (Object.keys(patch) as K[]).filter((k) => k in columns && patch[k] !== undefined);
  return {
    sets: keys.map((k, i) => `${columns[k]} = $${first + i}`),
    values: keys.map((k) => patch[k]),
  };
}

/**
 * Column list, `$n` placeholders (numbered from `first`) and values of an INSERT of every column
 * in `columns`.
 */
export function insertion<K extends string>(
  columns: Readonly<Record<K, string>>,
  fields: Record<K, unknown>,
  first = 1,
): { names: string; placeholders: string; values: unknown[] } {
  const keys = Object.keys(columns) as K[];
  return {
    names: keys.map((k) => columns[k]).join(', '),
    placeholders: keys.map((_, i) => `$${first + i}`).join(', '),
    values: keys.map((k) => fields[k]),
  };
}
