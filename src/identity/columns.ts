/**
 * The SQL pieces of the writes whose fields vary (a PATCH sets only what it names), built from a
 * table's map of property -> column name; the statements themselves stay in the queries files.
 */

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

/** Column list, `$n` placeholders and values of an INSERT of every column in `columns`. */
export function insertion<K extends string>(
  columns: Readonly<Record<K, string>>,
  fields: Record<K, unknown>,
): { names: string; placeholders: string; values: unknown[] } {
  const keys = Object.keys(columns) as K[];
  return {
    names: keys.map((k) => columns[k]).join(', '),
    placeholders: keys.map((_, i) => `$${i + 1}`).join(', '),
    values: keys.map((k) => fields[k]),
  };
}
