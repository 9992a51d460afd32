import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

const PURGE_INTERVAL_MS = 10 * 60_000;

/** Purges emailed/texted codes a day after they expired (pending-login counters go with their code). */
@Injectable()
export class OtpMaintenanceService {
  private readonly logger = new Logger('OtpMaintenance');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Interval('purge-expired-otp-codes', PURGE_INTERVAL_MS)
  async purgeExpired(): Promise<number> {
    try {
      const [, count] = (await this.dataSource.query(
        `DELETE FROM otp_code WHERE expires_at < now() - interval '1 day'`,
      )) as [unknown, number];
      return count;
    } catch (err) {
      this.logger.warn(`purge failed: ${(err as Error).message}`);
      return 0;
    }
  }
}
