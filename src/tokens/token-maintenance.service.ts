import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Db } from '../database/db.js';
import { purgeExpiredHostedSessions } from './hosted-session.queries.js';

const PURGE_INTERVAL_MS = 10 * 60_000;
/** Spent or expired rows are kept a little while for investigation of reuse, then purged. */
const KEEP_AFTER_EXPIRY = '1 day';

/** Purges expired refresh tokens, sessions, codes and revocation rows on a schedule. */
@Injectable()
export class TokenMaintenanceService {
  private readonly logger = new Logger('TokenMaintenance');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly db: Db,
  ) {}

  @Interval('purge-expired-tokens', PURGE_INTERVAL_MS)
  async purgeExpired(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    const statements: [string, string][] = [
      ['auth_code', `DELETE FROM auth_code WHERE expires_at < now() - interval '${KEEP_AFTER_EXPIRY}'`],
      [
        'refresh_token',
        `DELETE FROM refresh_token WHERE expires_at < now() - interval '${KEEP_AFTER_EXPIRY}'`,
      ],
      [
        'session',
        `DELETE FROM session WHERE expires_at < now() - interval '${KEEP_AFTER_EXPIRY}'
           OR (revoked_at IS NOT NULL AND revoked_at < now() - interval '${KEEP_AFTER_EXPIRY}' AND access_expires_at < now())`,
      ],
      ['revoked_access_token', `DELETE FROM revoked_access_token WHERE expires_at < now()`],
      ['revoked_session', `DELETE FROM revoked_session WHERE expires_at < now()`],
      [
        'one_time_token',
        `DELETE FROM one_time_token WHERE expires_at < now() - interval '${KEEP_AFTER_EXPIRY}'`,
      ],
      ['signing_key', `DELETE FROM signing_key WHERE verify_until IS NOT NULL AND verify_until < now()`],
    ];
    try {
      for (const [table, sql] of statements) {
        const [, count] = (await this.dataSource.query(sql)) as [unknown, number];
        result[table] = count;
      }
      result.hosted_session = await purgeExpiredHostedSessions(this.db);
      this.logger.debug(`purged ${JSON.stringify(result)}`);
    } catch (err) {
      this.logger.warn(`purge failed: ${(err as Error).message}`);
    }
    return result;
  }
}
