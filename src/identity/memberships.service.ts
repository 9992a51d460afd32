import { Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import { isUuid } from '../common/validation/ids.js';
import { Db, Queryable } from '../database/db.js';
import { mapConflict } from './conflicts.js';
import type { MemberRecord, Membership, MembershipStatus, Role } from './identity.types.js';
import * as memberships from './memberships.queries.js';
import { RolesService } from './roles.service.js';
import { TenantsService } from './tenants.service.js';
import { userExists } from './users.queries.js';

export interface MemberAccess {
  membership: Membership;
  role: Role | null;
  permissions: string[];
}

/** Memberships (user x tenant), the permissions their role grants, and their administration. */
@Injectable()
export class MembershipsService {
  constructor(
    private readonly db: Db,
    private readonly tenants: TenantsService,
    private readonly roles: RolesService,
  ) {}

  find(userId: string, tenantId: string): Promise<Membership | null> {
    return this.findIn(this.db, userId, tenantId);
  }

  /** The membership, read on the caller's transaction (no second pool connection). */
  async findIn(tx: Queryable, userId: string, tenantId: string): Promise<Membership | null> {
    return (await memberships.membershipOf(tx, userId, tenantId)) ?? null;
  }

  /**
   * The permissions `userId` holds in `tenantId` right now: those of the role of an ACTIVE
   * membership, or null when there is no active membership. One indexed read; the permission
   * checks of this service's own routes (admin, login activity) call it on every request, so a
   * demotion, a changed role or a lock takes effect at once, also for access tokens already issued.
   */
  async activePermissions(userId: string, tenantId: string): Promise<string[] | null> {
    if (!isUuid(userId) || !isUuid(tenantId)) return null;
    return (await memberships.activePermissions(this.db, userId, tenantId)) ?? null;
  }

  /**
   * The access of an ACTIVE member of `tenantId`. 403 NOT_A_MEMBER when there is no membership,
   * 403 with the status as code (LOCKED, PENDING_APPROVAL, ...) when it is not active.
   */
  requireActive(userId: string, tenantId: string): Promise<MemberAccess> {
    return this.requireActiveIn(this.db, userId, tenantId);
  }

  /** `requireActive` on the caller's transaction. */
  async requireActiveIn(tx: Queryable, userId: string, tenantId: string): Promise<MemberAccess> {
    // One query (membership with its role): every login and token issue passes here.
    const found = await memberships.membershipWithRole(tx, userId, tenantId);
    if (!found) throw Errors.notAMember();
    if (found.membership.status !== 'ACTIVE') throw Errors.membershipStatus(found.membership.status);
    return { ...found, permissions: found.role?.permissions ?? [] };
  }

  // ---- administration -------------------------------------------------------------------------

  /** Adds a user to a tenant (409 ALREADY_A_MEMBER when they are one). */
  addMembership(
    userId: string,
    tenantId: string,
    roleId: string | null,
    status: MembershipStatus,
  ): Promise<Membership> {
    return this.addMembershipIn(this.db, userId, tenantId, roleId, status);
  }

  /** `addMembership` in the caller's transaction. */
  async addMembershipIn(
    tx: Queryable,
    userId: string,
    tenantId: string,
    roleId: string | null,
    status: MembershipStatus,
  ): Promise<Membership> {
    try {
      return await memberships.insertMembership(tx, { userId, tenantId, roleId, status });
    } catch (err) {
      mapConflict(err);
    }
  }

  /** Memberships of these users with their role names, oldest first. */
  memberRecords(tx: Queryable, userIds: string[]): Promise<Map<string, MemberRecord[]>> {
    return memberships.memberRecordsOf(tx, userIds);
  }

  /**
   * The membership a status or role change applies to: the one of `tenantId`, else the user's only
   * one. 422 when the user has several and no tenantId says which; 404 when there is none.
   */
  async resolveMembership(tx: Queryable, userId: string, tenantId: string | undefined): Promise<Membership> {
    if (tenantId) {
      const membership = await memberships.membershipOf(tx, userId, tenantId);
      if (!membership) throw Errors.notFound('The user is not a member of that tenant');
      return membership;
    }
    const all = await memberships.membershipsOfUser(tx, userId, 2);
    if (all.length === 1) return all[0]!;
    if (!all.length) throw Errors.notFound('The user is not a member of any tenant');
    throw Errors.validation([
      { field: 'tenantId', message: 'tenantId is required when the user belongs to several tenants' },
    ]);
  }

  /** Changes the status and role of the membership `tenantId` names (see resolveMembership). */
  async changeMembership(
    tx: Queryable,
    userId: string,
    input: { tenantId?: string; status?: MembershipStatus; role?: string | null },
  ): Promise<Membership> {
    const membership = await this.resolveMembership(tx, userId, input.tenantId);
    let roleId = membership.roleId;
    if (input.role !== undefined) {
      roleId =
        input.role === null ? null : (await this.roles.findRole(tx, membership.tenantId, input.role)).id;
    }
    return memberships.updateMembership(tx, membership.id, {
      status: input.status ?? membership.status,
      roleId,
    });
  }

  /** Removes a user from a tenant (404 when they are not a member). */
  async removeMembership(tx: Queryable, userId: string, tenantId: string): Promise<void> {
    if (!(await memberships.deleteMembership(tx, userId, tenantId))) {
      throw Errors.notFound('The user is not a member of that tenant');
    }
  }

  /** Adds an existing user to a tenant as an ACTIVE member (409 ALREADY_A_MEMBER when they are one). */
  async addUserToTenant(userId: string, input: { tenantId: string; role?: string }): Promise<MemberRecord> {
    try {
      return await this.db.transaction(async (tx) => {
        if (!(await userExists(tx, userId))) throw Errors.notFound('User not found');
        await this.tenants.requireTenantIn(tx, input.tenantId);
        const role = input.role ? await this.roles.findRole(tx, input.tenantId, input.role) : null;
        const membership = await this.addMembershipIn(tx, userId, input.tenantId, role?.id ?? null, 'ACTIVE');
        return { membership, role: role?.name ?? null };
      });
    } catch (err) {
      mapConflict(err);
    }
  }

  /** PENDING_APPROVAL -> ACTIVE; any other status answers 409 NOT_PENDING_APPROVAL. */
  approveMember(userId: string, tenantId: string | undefined): Promise<Membership> {
    return this.db.transaction((tx) => this.approveMemberIn(tx, userId, tenantId));
  }

  /** `approveMember` in the caller's transaction (which also writes the member's mail). */
  async approveMemberIn(tx: Queryable, userId: string, tenantId: string | undefined): Promise<Membership> {
    if (!(await userExists(tx, userId))) throw Errors.notFound('User not found');
    const membership = await this.resolveMembership(tx, userId, tenantId);
    // Conditional on the status, so two concurrent approvals cannot both succeed.
    const approved = await memberships.approveMembership(tx, membership.id);
    if (!approved) {
      throw Errors.conflict(
        'NOT_PENDING_APPROVAL',
        `The membership is ${membership.status}, not pending approval`,
      );
    }
    return approved;
  }
}
