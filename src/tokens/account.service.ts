import { Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { UsersService } from '../identity/users.service.js';
import type { MeDto } from './dto/token.dto.js';

/** The caller's own account, as seen through their access token. */
@Injectable()
export class AccountService {
  constructor(
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
  ) {}

  async me(auth: AuthClaims): Promise<MeDto> {
    const user = await this.users.findById(auth.sub);
    if (!user) throw Errors.unauthorized('The user no longer exists');
    const membership = await this.memberships.find(user.id, auth.tid);
    const access = membership ? await this.memberships.access(membership) : null;
    return {
      id: user.id,
      email: user.email,
      username: user.username,
      firstName: user.firstName,
      lastName: user.lastName,
      tenantId: auth.tid,
      role: access?.role?.name ?? null,
      permissions: access?.permissions ?? [],
      memberId: membership?.memberId ?? null,
      mfaEnabled: user.mfaEnabled,
      profile: user.profile ?? {},
    };
  }
}
