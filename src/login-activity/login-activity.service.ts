import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SecretBox, sealedAt } from '../common/crypto/secret-box.js';
import { Errors } from '../common/errors/app-error.js';
import { UsersService } from '../identity/users.service.js';
import { ActiveUsersFilter, ActiveUsersRange, RANGE_BUCKETS } from './active-users.js';
import type { LoginActivityDto } from './dto/login-activity.dto.js';
import { ANSWER_FIELDS, AnswerField, buildWhere, ParsedFilter, SqlParams } from './filter/loopback-filter.js';

interface ActivityRow {
  id: string;
  actor: string;
  tenant_id: string;
  login_time: Date;
  token_payload_enc: string | null;
  login_type: string;
  auth_method: string;
  device_info: string | null;
  ip_address_enc: string | null;
}

const COLUMNS =
  'id, actor, tenant_id, login_time, token_payload_enc, login_type, auth_method, device_info, ip_address_enc';

export type ActiveUsersReport = Record<string, Record<string, LoginActivityDto[]>>;

/**
 * The reports of API.md section 6 over the audit trail. Every query is limited to the caller's
 * active tenant; filters arrive already translated to whitelisted SQL with bound values.
 */
@Injectable()
export class LoginActivityService {
  private readonly logger = new Logger('LoginActivity');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly users: UsersService,
  ) {}

  async find(tenantId: string, filter: ParsedFilter): Promise<LoginActivityDto[]> {
    const params = new SqlParams([tenantId]);
    const where = buildWhere(filter.where, params);
    const limit = params.add(filter.limit, 'int');
    const offset = params.add(filter.offset, 'bigint');
    const rows: ActivityRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM login_activity
       WHERE tenant_id = $1::uuid AND ${where}
       ORDER BY ${filter.order.join(', ')}
       LIMIT ${limit} OFFSET ${offset}`,
      params.values,
    );
    return rows.map((r) => this.toDto(r, filter.fields));
  }

  async count(tenantId: string, where: unknown): Promise<number> {
    const params = new SqlParams([tenantId]);
    const clause = buildWhere(where, params);
    const [row] = (await this.dataSource.query(
      `SELECT count(*) AS count FROM login_activity WHERE tenant_id = $1::uuid AND ${clause}`,
      params.values,
    )) as { count: string }[];
    return Number(row?.count ?? 0);
  }

  async findById(tenantId: string, id: string, fields: AnswerField[]): Promise<LoginActivityDto> {
    const rows: ActivityRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM login_activity WHERE id = $1::uuid AND tenant_id = $2::uuid LIMIT 1`,
      [id, tenantId],
    );
    if (!rows[0]) throw Errors.notFound('Login activity not found');
    return this.toDto(rows[0], fields);
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
    const bucket = RANGE_BUCKETS[range];
    const params = new SqlParams([tenantId, window.start.toISOString(), window.end.toISOString()]);
    let actorClause = 'TRUE';
    if (filter) {
      const actors = await this.resolveActors(filter);
      if (filter.inclusion && !actors.length) return {};
      if (actors.length) {
        const ref = params.add(actors, 'uuid[]');
        actorClause = filter.inclusion ? `actor = ANY(${ref})` : `actor <> ALL(${ref})`;
      }
    }
    const unit = params.add(bucket.unit, 'text');
    const format = params.add(bucket.format, 'text');
    // DISTINCT ON keeps the first row of each (bucket, type, actor) in ORDER BY order: the earliest.
    const rows: (ActivityRow & { period: string })[] = await this.dataSource.query(
      `SELECT to_char(bucket, ${format}) AS period, ${COLUMNS} FROM (
         SELECT DISTINCT ON (bucket, login_type, actor)
                date_trunc(${unit}, login_time AT TIME ZONE 'UTC') AS bucket, ${COLUMNS}
         FROM login_activity
         WHERE tenant_id = $1::uuid AND login_time BETWEEN $2::timestamptz AND $3::timestamptz
           AND ${actorClause}
         ORDER BY bucket, login_type, actor, login_time, id
       ) firsts
       ORDER BY bucket, login_type, login_time, id`,
      params.values,
    );
    const report: ActiveUsersReport = {};
    for (const row of rows) {
      const period = (report[row.period] ??= {});
      (period[row.login_type] ??= []).push(this.toDto(row, [...ANSWER_FIELDS]));
    }
    return report;
  }

  /** The user ids a filter names: as given (actorId), or the users with that username or email. */
  private async resolveActors(filter: ActiveUsersFilter): Promise<string[]> {
    if (filter.userIdentity === 'actorId') return filter.userIdentifier.map((id) => id.toLowerCase());
    const users = await Promise.all(filter.userIdentifier.map((name) => this.users.findByLogin(name)));
    return [...new Set(users.filter((u) => u !== null).map((u) => u.id))];
  }

  private toDto(row: ActivityRow, fields: readonly AnswerField[]): LoginActivityDto {
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
          out.tenantId = row.tenant_id;
          break;
        case 'loginTime':
          out.loginTime = new Date(row.login_time).toISOString();
          break;
        case 'tokenPayload':
          out.tokenPayload = this.open(row.token_payload_enc, 'token_payload_enc', row.id);
          break;
        case 'loginType':
          out.loginType = row.login_type;
          break;
        case 'authMethod':
          out.authMethod = row.auth_method;
          break;
        case 'deviceInfo':
          out.deviceInfo = row.device_info;
          break;
        case 'ipAddress':
          out.ipAddress = this.open(row.ip_address_enc, 'ip_address_enc', row.id);
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
