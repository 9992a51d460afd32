import type { Queryable } from '../database/db.js';

/**
 * Runs `work` inside a savepoint of the caller's transaction `tx`: released when it resolves,
 * rolled back to when it throws (the error is re-thrown), so a failed statement of `work` (e.g. a
 * unique violation) leaves the rest of the transaction usable.
 */
export async function inCodeSavepoint<T>(tx: Queryable, work: () => Promise<T>): Promise<T> {
  await tx.exec('SAVEPOINT verification_code');
  try {
    const result = await work();
    await tx.exec('RELEASE SAVEPOINT verification_code');
    return result;
  } catch (err) {
    await tx.exec('ROLLBACK TO SAVEPOINT verification_code');
    throw err;
  }
}
