import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Db } from '../database/db.js';
import { purgeExpiredCodes } from './otp-codes.queries.js';

const PURGE_INTERVAL_MS = 10 * 60_000;

/** Purges emailed/texted codes a day after they expired (pending-login counters go with their code). */
@Injectable()
export class OtpMaintenanceService {
  private readonly logger = new Logger('OtpMaintenance');

  constructor(private readonly db: Db) {}

  @Interval('purge-expired-otp-codes', PURGE_INTERVAL_MS)
  async purgeExpired(): Promise<number> {
    try {
      return await purgeExpiredCodes(this.db);
    } catch (err) {
      this.logger.warn(`purge failed: ${(err as Error).message}`);
      return 0;
    }
  }
}
