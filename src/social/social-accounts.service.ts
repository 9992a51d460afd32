import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error.js';
import { Db, isUniqueViolation, Queryable } from '../database/db.js';
import type { AuthClient, User } from '../identity/identity.types.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { UsersService } from '../identity/users.service.js';
import { SocialErrors } from './social-errors.js';
import type { ProviderIdentity, ProviderName } from './protocols/provider-strategy.js';

export interface SocialAccount {
  user: User;
  credentialId: string;
  created: boolean;
}

/** A write that lost a race with a concurrent first login of the same person. */
function isConflict(err: unknown): boolean {
  return (
    isUniqueViolation(err) ||
    (err instanceof AppError && err.getStatus() === 409 && err.code !== 'ACCOUNT_EXISTS')
  );
}

/**
 * The linking rules of API.md section 5. The user is found by (provider, external id); else, when
 * the provider asserts a verified email, the user with that email is linked, provided that user's
 * email is proven (section 12: else 409 ACCOUNT_EXISTS and nothing is linked, as the account may
 * belong to whoever typed that address without owning it); emails are unique across the service:
 * a user of another tenant is linked too, and given an ACTIVE membership of the client's tenant
 * when the client has allowSignUp; else an ACTIVE user is created in the client's tenant when the
 * client has allowSignUp (an unverified email someone else has is not stored); else 401
 * USER_NOT_FOUND. A user found by credential who is not yet a member of the client's tenant gets a
 * membership the same way. Whether the membership is ACTIVE is checked afterwards, as for every
 * login.
 */
@Injectable()
export class SocialAccountsService {
  constructor(
    private readonly db: Db,
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
  ) {}

  async resolve(
    provider: ProviderName,
    identity: ProviderIdentity,
    client: AuthClient,
  ): Promise<SocialAccount> {
    try {
      return await this.tryResolve(provider, identity, client);
    } catch (err) {
      // Two first logins of the same person at once: one created the rows, the other finds them.
      if (isConflict(err)) return this.tryResolve(provider, identity, client);
      throw err;
    }
  }

  private async tryResolve(
    provider: ProviderName,
    identity: ProviderIdentity,
    client: AuthClient,
  ): Promise<SocialAccount> {
    const known = await this.users.findByCredential(provider, identity.externalId);
    if (known) {
      await this.db.transaction((tx) => this.joinTenant(tx, known.user, client));
      return { ...known, created: false };
    }
    if (identity.email && identity.emailVerified) {
      const email = identity.email;
      const owner = await this.users.findByEmail(email);
      if (owner) {
        // An unproven address (self-registered without mail proof, or set by a tenant admin) may be
        // someone else's claim on this person's email: linking would hand them this login.
        if (!owner.emailVerified) throw SocialErrors.accountExists();
        return this.db.transaction(async (tx) => {
          // Still that user's address, still proven (an admin may have changed it meanwhile).
          if (!(await this.users.lockProvenEmailIn(tx, owner.id, email))) {
            throw SocialErrors.accountExists();
          }
          const credentialId = await this.users.linkCredential(tx, owner.id, provider, identity.externalId);
          await this.joinTenant(tx, owner, client);
          return { user: owner, credentialId, created: false };
        });
      }
    }
    if (!client.allowSignUp) throw SocialErrors.userNotFound();
    const emailFree = identity.email ? !(await this.users.findByEmail(identity.email)) : false;
    return this.db.transaction(async (tx) => {
      const { user } = await this.users.createUserIn(tx, {
        email: emailFree ? identity.email : null,
        emailVerified: emailFree && identity.emailVerified,
        firstName: identity.firstName,
        lastName: identity.lastName,
        tenantId: client.tenantId,
        status: 'ACTIVE',
      });
      const credentialId = await this.users.linkCredential(tx, user.id, provider, identity.externalId);
      return { user, credentialId, created: true };
    });
  }

  /** An ACTIVE membership of the client's tenant for a user who has none, when sign-up is open. */
  private async joinTenant(tx: Queryable, user: User, client: AuthClient): Promise<void> {
    if (!client.allowSignUp) return;
    if (await this.memberships.findIn(tx, user.id, client.tenantId)) return;
    await this.memberships.addMembershipIn(tx, user.id, client.tenantId, null, 'ACTIVE');
  }
}
