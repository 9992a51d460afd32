import type { Queryable } from './db.js';

/**
 * Counts a wrong try against a live single-use secret: a row of `table` (a constant table name of
 * the caller's module, never input) with `failed_attempts` and `used_at`, such as an emailed code
 * or a one-time token. The `max`-th wrong try burns it (sets `used_at`). Answers the failures
 * counted so far, or undefined when the row was no longer live (spent or burnt meanwhile).
 */
export async function countFailedTry(
  q: Queryable,
  table: string,
  id: string,
  max: number,
): Promise<number | undefined> {
  const row = await q.row<{ failed_attempts: number }>(
    `UPDATE ${table} SET failed_attempts = failed_attempts + 1,
            used_at = CASE WHEN failed_attempts + 1 >= $2 THEN now() ELSE used_at END
     WHERE id = $1 AND used_at IS NULL RETURNING failed_attempts`,
    [id, max],
  );
  return row?.failed_attempts;
}
