import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Errors } from '../../common/errors/app-error.js';
import type { Attempt } from '../../common/rate-limit/attempt-limiter.js';
import { firstRow } from '../../database/sql.js';

/** Wrong emailed or texted 6-digit codes one user may send in a day (API.md section 12). */
export const DAILY_CODE_FAILURES = 50;
const DAY_S = 86_400;

/**
 * The per-user daily budget of wrong 6-digit codes (sign-in codes of section 4, the emailed code of
 * the section 8 MFA challenge, email verification codes of section 7). Each code allows a few
 * tries and new codes can be asked for, so without a budget per account the codes of one inbox
 * could be guessed forever. Failures are counted over a day; once the day's budget is spent, code
 * sign-in and email verification stay closed for that user (no new day opens them) until a
 * password sign-in or a reset link proves the owner and `restore`s the budget. Kept in PostgreSQL
 * (one row per user), so it holds on every instance and across restarts; like every limit it is
 * counted before the code is checked (one atomic UPSERT), and a right code takes its count back.
 */
@Injectable()
export class CodeBudget {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Counts one code attempt of the user; 429 while the budget is spent (until `restore`). */
  async begin(userId: string): Promise<Attempt> {
    const row = await firstRow<{ failures: number; window_start: Date }>(
      this.dataSource.manager,
      // A window older than a day starts again, unless the budget was spent in it: then it is
      // locked, and only `restore` opens it.
      `INSERT INTO user_code_budget (user_id, window_start, failures) VALUES ($1, now(), 1)
       ON CONFLICT (user_id) DO UPDATE SET
         failures = CASE WHEN user_code_budget.window_start > now() - interval '1 day'
                           OR user_code_budget.failures >= $2
                         THEN user_code_budget.failures + 1 ELSE 1 END,
         window_start = CASE WHEN user_code_budget.window_start > now() - interval '1 day'
                               OR user_code_budget.failures >= $2
                             THEN user_code_budget.window_start ELSE now() END
       RETURNING failures, window_start`,
      [userId, DAILY_CODE_FAILURES],
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
      // Locked until the owner proves the account: Retry-After is only a hint (a day).
      throw Errors.tooManyRequests(
        DAY_S,
        'Too many wrong codes for this account: sign in with the password, or reset it, to use codes again',
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
