import { Injectable } from '@nestjs/common';
import { Errors } from '../../common/errors/app-error.js';
import type { Attempt } from '../../common/rate-limit/attempt-limiter.js';
import { Db, Queryable } from '../../database/db.js';
import { clearCodeBudget, countCodeFailure, uncountCodeFailure } from './code-budget.queries.js';

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
  constructor(private readonly db: Db) {}

  /** Counts one code attempt of the user; 429 while the budget is spent (until `restore`). */
  async begin(userId: string): Promise<Attempt> {
    const { failures, windowStart } = await countCodeFailure(this.db, userId, DAILY_CODE_FAILURES);
    let settled = false;
    const undo = async () => {
      if (settled) return;
      settled = true;
      await uncountCodeFailure(this.db, userId, windowStart);
    };
    if (failures > DAILY_CODE_FAILURES) {
      await undo();
      // Locked until the owner proves the account: Retry-After is only a hint (a day).
      throw Errors.tooManyRequests(
        DAY_S,
        'Too many wrong codes for this account: sign in with the password, or reset it, to use codes again',
      );
    }
    return { succeeded: undo };
  }

  /** A password sign-in proves the account's owner: the budget starts again. */
  async restore(userId: string): Promise<void> {
    await clearCodeBudget(this.db, userId);
  }

  /** `restore` in the caller's transaction (a used reset link proves the owner too). */
  async restoreIn(tx: Queryable, userId: string): Promise<void> {
    await clearCodeBudget(tx, userId);
  }
}
