import { Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { Db } from '../database/db.js';
import { AccountCache } from './account-cache.js';
import { accountInTenant } from './account.queries.js';
import type { MeDto } from './dto/token.dto.js';

/** The caller's own account, as seen through their access token (kept in AccountCache). */
@Injectable()
export class AccountService {
  constructor(
    private readonly db: Db,
    private readonly cache: AccountCache<MeDto>,
  ) {}

  async me(auth: AuthClaims): Promise<MeDto> {
    const me = await this.cache.get(auth.sub, auth.tid, () => this.read(auth));
    if (!me) throw Errors.unauthorized('The user no longer exists');
    return me;
  }

  private async read(auth: AuthClaims): Promise<MeDto | undefined> {
    const row = await accountInTenant(this.db, auth.sub, auth.tid);
    if (!row) return undefined;
    // Shared by every request that reads it from memory: nobody may change it.
    return Object.freeze({
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
    });
  }
}
