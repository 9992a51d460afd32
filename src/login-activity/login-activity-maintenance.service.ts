import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Db } from '../database/db.js';
import {
  dropPartition,
  ensureUpcomingPartitions,
  monthlyPartitions,
  purgeDefaultPartition,
} from './login-activity.queries.js';

const DAILY_MS = 24 * 3600_000;

/** Creates next months' partitions ahead of time and drops those past LOGIN_ACTIVITY_RETENTION_DAYS. */
@Injectable()
export class LoginActivityMaintenance implements OnApplicationBootstrap {
  private readonly logger = new Logger('LoginActivityMaintenance');

  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.maintain();
  }

  @Interval('login-activity-partitions', DAILY_MS)
  async maintain(): Promise<void> {
    try {
      await ensureUpcomingPartitions(this.db);
      const cutoff = new Date(Date.now() - this.config.loginActivityRetentionDays * DAILY_MS);
      for (const name of await monthlyPartitions(this.db)) {
        const [, y, mo] = /^login_activity_(\d{4})_(\d{2})$/.exec(name)!;
        const end = new Date(Date.UTC(Number(y), Number(mo), 1));
        if (end <= cutoff) {
          await dropPartition(this.db, name);
          this.logger.log(`dropped login-activity partition ${name} (older than the retention)`);
        }
      }
      await purgeDefaultPartition(this.db, cutoff);
    } catch (err) {
      this.logger.warn(`maintenance failed: ${(err as Error).message}`);
    }
  }
}
