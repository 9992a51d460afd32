import { Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import { Db } from '../database/db.js';
import { TenantsService } from '../identity/tenants.service.js';
import { UsersService } from '../identity/users.service.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { SessionsService } from '../tokens/sessions.service.js';
import type { AdminPrincipal } from '../tokens/guards/admin-principal.js';
import { deleteAllMethods } from './mfa-methods.queries.js';
import { PasskeyMethods } from './passkey-methods.js';

/**
 * An admin's reset of a user's MFA ("Reset MFA" in the console), for a user who lost their
 * authenticator: every MFA method of the user goes (authenticators, recovery codes and whatever
 * else the MFA store keeps as a method), MFA is off, every session of the user ends (a session
 * proven with the removed factor must not outlive it) and the user is mailed a notice, all in one
 * transaction. MFA belongs to the person, not to one membership: a ManageAuth token may reset it
 * only for its own members who belong to no other tenant (one tenant's admin must not weaken an
 * account that other tenants rely on); the admin key may reset anyone's.
 */
@Injectable()
export class AdminMfaService {
  constructor(
    private readonly db: Db,
    private readonly tenants: TenantsService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly outbox: OutboxService,
    private readonly passkeys: PasskeyMethods,
  ) {}

  async reset(admin: AdminPrincipal, userId: string): Promise<void> {
    const { user, memberships } = await this.users.getUser(userId);
    let tenantName: string | undefined;
    if (admin.kind === 'tenant') {
      const own = memberships.find((m) => m.membership.tenantId === admin.tenantId);
      if (!own) throw Errors.forbidden("The user is not a member of the token's tenant");
      if (memberships.length > 1) {
        throw Errors.forbidden(
          'The user belongs to other tenants too: only the admin key may reset their MFA',
        );
      }
      tenantName = (await this.tenants.requireTenant(admin.tenantId)).name;
    }
    await this.db.transaction(async (tx) => {
      await this.users.lockIn(tx, userId);
      await deleteAllMethods(tx, userId);
      await this.passkeys.removeAll(tx, userId);
      await this.users.setMfaEnabledIn(tx, userId, false);
      await this.sessions.endAllForUserIn(tx, userId, { reason: 'mfa_reset' });
      if (user.email) {
        await this.outbox.enqueue(tx, {
          channel: 'email',
          to: user.email,
          template: 'mfa-reset',
          data: tenantName ? { appName: tenantName } : {},
        });
      }
    });
  }
}
