import { Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import { UsersService } from '../identity/users.service.js';
import { SessionsService } from '../tokens/sessions.service.js';
import type { AdminPrincipal } from '../tokens/guards/admin-principal.js';

/**
 * Ends a user's sessions for an admin ("Revoke sessions" in the console): their refresh tokens stop
 * working and their access tokens are refused on every instance within a second. The admin key
 * ends every session of the user; a ManageAuth token only the sessions in its own tenant, and
 * only of its own members.
 */
@Injectable()
export class AdminUserSessionsService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
  ) {}

  /** Answers how many sessions ended. 404 for an unknown user, 403 for a user outside the tenant. */
  async revokeAll(admin: AdminPrincipal, userId: string): Promise<number> {
    const record = await this.users.getUser(userId);
    if (admin.kind === 'key') {
      return this.sessions.endAllForUser(userId, { reason: 'admin_revoked' });
    }
    if (!record.memberships.some((m) => m.membership.tenantId === admin.tenantId)) {
      throw Errors.forbidden("The user is not a member of the token's tenant");
    }
    return this.sessions.endAllForUser(userId, { reason: 'admin_revoked', tenantId: admin.tenantId });
  }
}
