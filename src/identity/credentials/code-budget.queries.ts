import { Queryable } from '../../database/db.js';

/**
 * Counts one code attempt of the user in one atomic UPSERT; answers the count and the window's start.
 * A window older than a day starts again, unless the budget (`max`) was spent in it: then it is
 * locked, and only deleteCodeBudget opens it.
 */
export async function countCodeAttempt(
  q: Queryable,
  userId: string,
  max: number,
): Promise<{ failures: number; windowStart: Date }> {
  const row = await q.row<{ failures: number; window_start: Date }>(
    `INSERT INTO user_code_budget (user_id, window_start, failures) VALUES ($1, now(), 1)
     ON CONFLICT (user_id) DO UPDATE SET
       failures = CASE WHEN user_code_budget.window_start > now() - interval '1 day'
                         OR user_code_budget.failures >= $2
                       THEN user_code_budget.failures + 1 ELSE 1 END,
       window_start = CASE WHEN user_code_budget.window_start > now() - interval '1 day'
                             OR user_code_budget.failures >= $2
                           THEN user_code_budget.window_start ELSE now() END
     RETURNING failures, window_start`,
    [userId, max],
  );
  return { failures: row!.failures, windowStart: row!.window_start };
}

/** Takes one counted attempt back, if the window it was counted in is still the current one. */
export async function uncountCodeAttempt(q: Queryable, userId: string, windowStart: Date): Promise<void> {
  await q.exec(
    `UPDATE user_code_budget SET failures = greatest(failures - 1, 0)
     WHERE user_id = $1 AND window_start = $2`,
    [userId, windowStart],
  );
}

export async function deleteCodeBudget(q: Queryable, userId: string): Promise<void> {
  await q.exec(`DELETE FROM user_code_budget WHERE user_id = $1`, [userId]);
}
