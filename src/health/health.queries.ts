import { Queryable } from '../database/db.js';

/** Resolves when the database answers a trivial statement. */
export async function ping(q: Queryable): Promise<void> {
  await q.rows('SELECT 1');
}
