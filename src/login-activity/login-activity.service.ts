import { Injectable, Logger } from '@nestjs/common';
import { SecretBox, sealedAt } from '../common/crypto/secret-box.js';
import { Errors } from '../common/errors/app-error.js';
import { Db } from '../database/db.js';
import { UsersService } from '../identity/users.service.js';
import { ActiveUsersFilter, ActiveUsersRange, RANGE_BUCKETS } from './active-users.js';
import type { LoginActivityDto } from './dto/login-activity.dto.js';
import { ANSWER_FIELDS, AnswerField, ParsedFilter } from './filter/loopback-filter.js';
import {
  countLoginActivity,
  findLoginActivity,
  findLoginActivityById,
  firstActivityPerBucket,
  LoginActivityRecord,
} from './login-activity.queries.js';

export type ActiveUsersReport = Record<string, Record<string, LoginActivityDto[]>>;

/**
 * The reports of API.md section 6 over the audit trail. Every query is limited to the caller's
 * active tenant; filters arrive parsed against the whitelist, and the queries bind their values.
 */
@Injectable()
export class LoginActivityService {
  private readonly logger = new Logger('LoginActivity');

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly users: UsersService,
  ) {}

  async find(tenantId: string, filter: ParsedFilter): Promise<LoginActivityDto[]> {
    const rows = await findLoginActivity(this.db, tenantId, filter);
    return rows.map((r) => this.toDto(r, filter.fields));
  }

  count(tenantId: string, where: unknown): Promise<number> {
    return countLoginActivity(this.db, tenantId, where);
  }

  async findById(tenantId: string, id: string, fields: AnswerField[]): Promise<LoginActivityDto> {
    const row = await findLoginActivityById(this.db, tenantId, id);
    if (!row) throw Errors.notFound('Login activity not found');
    return this.toDto(row, fields);
  }

  /**
   * Per period (UTC day, ISO week or month) and per loginType, each distinct actor's first activity
   * in that period. Periods come out in time order, each list in time order.
   */
  async activeUsers(
    tenantId: string,
    range: ActiveUsersRange,
    window: { start: Date; end: Date },
    filter?: ActiveUsersFilter,
  ): Promise<ActiveUsersReport> {
    let actors: { ids: string[]; inclusion: boolean } | undefined;
    if (filter) {
      const ids = await this.resolveActors(filter);
      if (filter.inclusion && !ids.length) return {};
      actors = { ids, inclusion: filter.inclusion };
    }
    const rows = await firstActivityPerBucket(this.db, tenantId, window, RANGE_BUCKETS[range], actors);
    const report: ActiveUsersReport = {};
    for (const row of rows) {
      const period = (report[row.period] ??= {});
      (period[row.loginType] ??= []).push(this.toDto(row, [...ANSWER_FIELDS]));
    }
    return report;
  }

  /** The user ids a filter names: as given (actorId), or the users with that username or email. */
  private async resolveActors(filter: ActiveUsersFilter): Promise<string[]> {
    if (filter.userIdentity === 'actorId') return filter.userIdentifier.map((id) => id.toLowerCase());
    const users = await Promise.all(filter.userIdentifier.map((name) => this.users.findByLogin(name)));
    return [...new Set(users.filter((u) => u !== null).map((u) => u.id))];
  }

  private toDto(row: LoginActivityRecord, fields: readonly AnswerField[]): LoginActivityDto {
    const out: LoginActivityDto = {};
    for (const field of fields) {
      switch (field) {
        case 'id':
          out.id = row.id;
          break;
        case 'actor':
          out.actor = row.actor;
          break;
        case 'tenantId':
          out.tenantId = row.tenantId;
          break;
        case 'loginTime':
          out.loginTime = row.loginTime.toISOString();
          break;
        case 'tokenPayload':
          out.tokenPayload = this.open(row.tokenPayloadEnc, 'token_payload_enc', row.id);
          break;
        case 'loginType':
          out.loginType = row.loginType;
          break;
        case 'authMethod':
          out.authMethod = row.authMethod;
          break;
        case 'deviceInfo':
          out.deviceInfo = row.deviceInfo;
          break;
        case 'ipAddress':
          out.ipAddress = this.open(row.ipAddressEnc, 'ip_address_enc', row.id);
          break;
      }
    }
    return out;
  }

  /**
   * Decrypts a sealed value; one sealed under a key no longer configured, or moved from another
   * row or column, reads as null, not a 500.
   */
  private open(sealed: string | null, column: string, id: string): string | null {
    if (sealed === null) return null;
    try {
      return this.box.decrypt(sealed, sealedAt('login_activity', column, id));
    } catch {
      this.logger.warn(`login activity ${id}: a sealed field cannot be decrypted with the configured keys`);
      return null;
    }
  }
}
