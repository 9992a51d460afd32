import { Queryable } from '../../database/db.js';

/**
 * Counts one code failure of the user (one atomic UPSERT). A window older than a day starts again,
 * unless the budget (`limit`) was spent in it: then it is locked, and only `clearCodeBudget` opens
 * it. Answers the failures counted in the window and when it started.
 */
export async function countCodeFailure(
  q: Queryable,
  userId: string,
  limit: number,
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
    [userId, limit],
  );
  return { failures: row!.failures, windowStart: row!.window_start };
}

/** Takes one failure back, if the window is still the one it was counted in. */
export async function uncountCodeFailure(q: Queryable, userId: string, windowStart: Date): Promise<void> {
  await q.exec(
    `UPDATE user_code_budget SET failures = greatest(failures - 1, 0) WHERE user_id = $1 AND window_start = $2`,
    [userId, windowStart],
  );
}

export async function clearCodeBudget(q: Queryable, userId: string): Promise<void> {
  await q.exec(`DELETE FROM user_code_budget WHERE user_id = $1`, [userId]);
}
