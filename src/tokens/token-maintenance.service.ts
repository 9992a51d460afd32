import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Db } from '../database/db.js';
import { purgeExpiredHostedSessions } from './hosted-session.queries.js';
import { purgeExpiredTokens } from './maintenance.queries.js';

const PURGE_INTERVAL_MS = 10 * 60_000;

/** Purges expired refresh tokens, sessions, codes and revocation rows on a schedule. */
@Injectable()
export class TokenMaintenanceService {
  private readonly logger = new Logger('TokenMaintenance');

  constructor(private readonly db: Db) {}

  @Interval('purge-expired-tokens', PURGE_INTERVAL_MS)
  async purgeExpired(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    try {
      await purgeExpiredTokens(this.db, result);
      result.hosted_session = await purgeExpiredHostedSessions(this.db);
      this.logger.debug(`purged ${JSON.stringify(result)}`);
    } catch (err) {
      this.logger.warn(`purge failed: ${(err as Error).message}`);
    }
    return result;
  }
}
