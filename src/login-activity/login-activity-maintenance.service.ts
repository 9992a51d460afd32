import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';

const DAILY_MS = 24 * 3600_000;

/** Creates next months' partitions ahead of time and drops those past LOGIN_ACTIVITY_RETENTION_DAYS. */
@Injectable()
export class LoginActivityMaintenance implements OnApplicationBootstrap {
  private readonly logger = new Logger('LoginActivityMaintenance');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.maintain();
  }

  @Interval('login-activity-partitions', DAILY_MS)
  async maintain(): Promise<void> {
    try {
      await this.dataSource.query(
        `SELECT ensure_login_activity_partition((now() + (n || ' month')::interval)::date) FROM generate_series(0, 2) AS n`,
      );
      const cutoff = new Date(Date.now() - this.config.loginActivityRetentionDays * DAILY_MS);
      const partitions: { name: string }[] = await this.dataSource.query(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'login_activity' AND c.relname ~ '^login_activity_\\d{4}_\\d{2}$'`,
      );
      for (const { name } of partitions) {
        const [, y, mo] = /^login_activity_(\d{4})_(\d{2})$/.exec(name)!;
        const end = new Date(Date.UTC(Number(y), Number(mo), 1));
        if (end <= cutoff) {
          await this.dataSource.query(`DROP TABLE IF EXISTS "${name}"`);
          this.logger.log(`dropped login-activity partition ${name} (older than the retention)`);
        }
      }
      await this.dataSource.query(`DELETE FROM login_activity_default WHERE login_time < $1`, [cutoff]);
    } catch (err) {
      this.logger.warn(`maintenance failed: ${(err as Error).message}`);
    }
  }
}
