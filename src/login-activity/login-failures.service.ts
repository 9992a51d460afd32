import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Db } from '../database/db.js';
import type { LoginFailureSink } from '../identity/credentials/login-failures.js';
import { ActiveUsersRange, RANGE_BUCKETS } from './active-users.js';
import { countLoginFailure, loginFailuresPerBucket, purgeLoginFailures } from './login-activity.queries.js';

/** Writes in flight at most: past it (a database that is slow or down) failures go uncounted. */
const MAX_IN_FLIGHT = 20;
const DAILY_MS = 24 * 3600_000;

/** `{period: {authMethod: count}}`: failed sign-ins per UTC day, ISO week or month, then per method. */
export type LoginFailuresReport = Record<string, Record<string, number>>;

/**
 * Failed sign-ins per tenant (the console's dashboard). Counted, not logged: one row per tenant,
 * UTC hour and method, bumped by one atomic upsert, so a guessing burst adds counts and no rows.
 * Recording never waits and never fails a login: the write runs after the answer is decided, at
 * most MAX_IN_FLIGHT at a time, and its errors are only logged at debug level. Counts older than
 * LOGIN_ACTIVITY_RETENTION_DAYS are dropped daily (LoginFailuresRetention).
 */
@Injectable()
export class LoginFailuresService implements LoginFailureSink {
  private readonly logger = new Logger('LoginFailures');
  private inFlight = 0;

  constructor(private readonly db: Db) {}

  record(failure: { tenantId: string; authMethod: string }): void {
    if (this.inFlight >= MAX_IN_FLIGHT) return;
    this.inFlight++;
    countLoginFailure(this.db, failure.tenantId, failure.authMethod.slice(0, 30))
      .catch((err: Error) => this.logger.debug(`not counted: ${err.message}`))
      .finally(() => this.inFlight--);
  }

  /** Counts of the tenant between start and end (whole UTC hours), keyed by period then method. */
  async report(
    tenantId: string,
    range: ActiveUsersRange,
    window: { start: Date; end: Date },
  ): Promise<LoginFailuresReport> {
    const found = await loginFailuresPerBucket(this.db, tenantId, window, RANGE_BUCKETS[range]);
    const report: LoginFailuresReport = {};
    for (const row of found) (report[row.period] ??= {})[row.authMethod] = row.failures;
    return report;
  }
}

/** Drops counts older than LOGIN_ACTIVITY_RETENTION_DAYS, daily (apart from the sink, which is aliased). */
@Injectable()
export class LoginFailuresRetention {
  private readonly logger = new Logger('LoginFailures');

  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Interval('login-failure-retention', DAILY_MS)
  async purge(): Promise<void> {
    const cutoff = new Date(Date.now() - this.config.loginActivityRetentionDays * DAILY_MS);
    await purgeLoginFailures(this.db, cutoff).catch((err: Error) =>
      this.logger.warn(`purge failed: ${err.message}`),
    );
  }
}
