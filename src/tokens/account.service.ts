import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Errors } from '../common/errors/app-error.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { firstRow } from '../database/sql.js';
import type { MeDto } from './dto/token.dto.js';

interface MeRow {
  id: string;
  email: string | null;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  role: string | null;
  permissions: string[] | null;
  memberId: string | null;
  mfaEnabled: boolean;
  profile: Record<string, unknown> | null;
}

/** The caller's own account, as seen through their access token. */
@Injectable()
export class AccountService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One round trip: /auth/me is on the hot path of every front end. */
  async me(auth: AuthClaims): Promise<MeDto> {
    const row = await firstRow<MeRow>(
      this.dataSource.manager,
      `SELECT u.id, u.email, u.username, u.first_name AS "firstName", u.last_name AS "lastName",
              r.name AS role, r.permissions, m.member_id AS "memberId", u.mfa_enabled AS "mfaEnabled", u.profile
       FROM app_user u
       LEFT JOIN membership m ON m.user_id = u.id AND m.tenant_id = $2
       LEFT JOIN role r ON r.id = m.role_id
       WHERE u.id = $1`,
      [auth.sub, auth.tid],
    );
    if (!row) throw Errors.unauthorized('The user no longer exists');
    return {
      id: row.id,
      email: row.email,
      username: row.username,
      firstName: row.firstName,
      lastName: row.lastName,
      tenantId: auth.tid,
      role: row.role,
      permissions: row.permissions ?? [],
      memberId: row.memberId === null ? null : Number(row.memberId),
      mfaEnabled: row.mfaEnabled,
      profile: row.profile ?? {},
    };
  }
}
