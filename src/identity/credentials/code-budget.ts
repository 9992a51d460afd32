import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Errors } from '../../common/errors/app-error.js';
import type { Attempt } from '../../common/rate-limit/attempt-limiter.js';
import { firstRow } from '../../database/sql.js';

/** Wrong emailed or texted 6-digit codes one user may send in a day (API.md section 12). */
export const DAILY_CODE_FAILURES = 50;

/**
 * The per-user daily budget of wrong 6-digit codes (sign-in codes of section 4, email verification
 * codes of section 7). Each code allows a few tries and new codes can be asked for, so without a
 * budget per account the codes of one inbox could be guessed forever. Past the budget, code
 * sign-in and email verification stop for that user until a password sign-in or a reset link
 * succeeds. Kept in PostgreSQL (one row per user), so it holds on every instance and across
 * restarts; like every limit it is counted before the code is checked (one atomic UPDATE), and a
 * right code takes its count back.
 */
@Injectable()
export class CodeBudget {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Counts one code attempt of the user; 429 when the day's budget is spent. */
  async begin(userId: string): Promise<Attempt> {
    const row = await firstRow<{ failures: number; window_start: Date }>(
      this.dataSource.manager,
      `INSERT INTO user_code_budget (user_id, window_start, failures) VALUES ($1, now(), 1)
       ON CONFLICT (user_id) DO UPDATE SET
         failures = CASE WHEN user_code_budget.window_start > now() - interval '1 day'
                         THEN user_code_budget.failures + 1 ELSE 1 END,
         window_start = CASE WHEN user_code_budget.window_start > now() - interval '1 day'
                             THEN user_code_budget.window_start ELSE now() END
       RETURNING failures, window_start`,
      [userId],
    );
    const windowStart = row!.window_start;
    let settled = false;
    const undo = async () => {
      if (settled) return;
      settled = true;
      await this.dataSource.query(
        `UPDATE user_code_budget SET failures = greatest(failures - 1, 0)
         WHERE user_id = $1 AND window_start = $2`,
        [userId, windowStart],
      );
    };
    if (row!.failures > DAILY_CODE_FAILURES) {
      await undo();
      const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + 86_400_000 - Date.now()) / 1000));
      throw Errors.tooManyRequests(
        retryAfter,
        'Too many wrong codes for this account today: sign in with the password, or reset it, to use codes again',
      );
    }
    return { succeeded: undo };
  }

  /** A password sign-in or a used reset link proves the account's owner: the budget starts again. */
  async restore(userId: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).query(`DELETE FROM user_code_budget WHERE user_id = $1`, [
      userId,
    ]);
  }
}
