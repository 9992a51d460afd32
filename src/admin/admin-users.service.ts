import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Errors } from '../common/errors/app-error.js';
import type { MemberRecord, Membership, User, UserRecord } from '../identity/identity.types.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { TenantsService } from '../identity/tenants.service.js';
import { UsersService } from '../identity/users.service.js';
import { Db } from '../database/db.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { SessionsService } from '../tokens/sessions.service.js';
import { AdminPrincipal, assertTenant, tenantFilter } from '../tokens/guards/admin-principal.js';
import type {
  AddMembershipDto,
  CreateUserDto,
  UpdateUserDto,
  UserListQueryDto,
} from './dto/user-request.dto.js';

/** Emitted after an admin approved a PENDING_APPROVAL member: `{userId, tenantId, memberId}`. */
export const MEMBER_APPROVED = 'member.approved';
export interface MemberApprovedEvent {
  userId: string;
  tenantId: string;
  memberId: number;
}

/** Fields that belong to the person, not to one membership: shared by every tenant they are in. */
const IDENTITY_FIELDS: (keyof UpdateUserDto)[] = [
  'email',
  'emailVerified',
  'username',
  'firstName',
  'lastName',
  'phone',
  'ssoId',
  'password',
];
const DEFAULT_PAGE = 100;

/**
 * Users and memberships for the admin routes. A ManageAuth token sees only members of its tenant,
 * and only their membership there; it may change a person's identity (email, password, ...) only
 * when that person belongs to no other tenant, so one tenant cannot take over another's accounts.
 * Taking access away (locking, a new password, removal) ends the sessions concerned in the same
 * transaction, so their access tokens stop working at once; a password set here is announced to
 * the user by mail, written in that transaction too.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly db: Db,
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
    private readonly tenants: TenantsService,
    private readonly sessions: SessionsService,
    private readonly events: EventEmitter2,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * Whether an address an admin sets counts as proven (API.md section 12): the operator's
   * (ADMIN_API_KEY) `emailVerified`, true unless it sends false; a ManageAuth token's is ignored
   * and the address starts unproven (a tenant must not be able to vouch for someone's mailbox).
   */
  private emailVerifiedOf(admin: AdminPrincipal, dto: { emailVerified?: boolean }): boolean {
    return admin.kind === 'key' ? (dto.emailVerified ?? true) : false;
  }

  async create(admin: AdminPrincipal, dto: CreateUserDto): Promise<{ user: User; membership: Membership }> {
    assertTenant(admin, dto.tenantId);
    return this.users.createUser({
      ...dto,
      role: dto.role ?? undefined,
      emailVerified: this.emailVerifiedOf(admin, dto),
    });
  }

  async list(admin: AdminPrincipal, query: UserListQueryDto): Promise<UserRecord[]> {
    const records = await this.users.listUsers({
      tenantId: tenantFilter(admin, query.tenantId),
      email: query.email,
      search: query.search,
      limit: query.limit ?? DEFAULT_PAGE,
      offset: query.offset ?? 0,
    });
    return records.map((r) => this.visible(admin, r));
  }

  async get(admin: AdminPrincipal, id: string): Promise<UserRecord> {
    return this.visible(admin, await this.inReach(admin, id));
  }

  async update(admin: AdminPrincipal, id: string, input: UpdateUserDto): Promise<UserRecord> {
    const record = await this.inReach(admin, id);
    // A ManageAuth token's emailVerified is ignored (a changed email then starts unproven); the
    // operator's counts, and a new email it sets is proven unless it says otherwise.
    const dto: UpdateUserDto = { ...input, emailVerified: undefined };
    if (admin.kind === 'key' && (input.emailVerified !== undefined || input.email !== undefined)) {
      dto.emailVerified = this.emailVerifiedOf(admin, input);
    }
    let tenantId = dto.tenantId;
    if (admin.kind === 'tenant') {
      assertTenant(admin, tenantId ?? admin.tenantId);
      tenantId = admin.tenantId;
      const elsewhere = record.memberships.some((m) => m.membership.tenantId !== admin.tenantId);
      if (elsewhere && IDENTITY_FIELDS.some((f) => dto[f] !== undefined)) {
        throw Errors.forbidden(
          'The user belongs to other tenants too: only the admin key may change their identity',
        );
      }
    }
    await this.db.transaction(async (tx) => {
      const result = await this.users.updateUserIn(tx, id, { ...dto, tenantId });
      if (result.passwordChanged) {
        await this.sessions.endAllForUserIn(tx, id, { reason: 'admin_password_reset' });
        // The notice goes to the address the account had (the person who held it), else the new one.
        const to = record.user.email ?? result.user.email;
        if (to)
          await this.outbox.enqueue(tx, {
            channel: 'email',
            to,
            template: 'password-set-by-admin',
            data: {},
          });
      }
      // A member who is no longer ACTIVE must not keep the access tokens issued while they were.
      if (result.membership && dto.status !== undefined && dto.status !== 'ACTIVE') {
        const reason = `member_${dto.status.toLowerCase()}`;
        await this.sessions.endAllForUserIn(tx, id, {
          reason,
          tenantId: result.membership.tenantId,
        });
      }
    });
    return this.get(admin, id);
  }

  /** The admin key deletes the user; a ManageAuth token removes only their membership of its tenant. */
  async delete(admin: AdminPrincipal, id: string): Promise<void> {
    await this.inReach(admin, id);
    await this.db.transaction(async (tx) => {
      if (admin.kind === 'key') {
        await this.sessions.endAllForUserIn(tx, id, { reason: 'user_deleted' });
        await this.users.deleteUser(tx, id);
      } else {
        await this.sessions.endAllForUserIn(tx, id, {
          reason: 'member_removed',
          tenantId: admin.tenantId,
        });
        await this.memberships.removeMembership(tx, id, admin.tenantId);
      }
    });
  }

  async addMembership(admin: AdminPrincipal, userId: string, dto: AddMembershipDto): Promise<MemberRecord> {
    assertTenant(admin, dto.tenantId);
    await this.inReach(admin, userId);
    return this.memberships.addUserToTenant(userId, { tenantId: dto.tenantId, role: dto.role ?? undefined });
  }

  async approve(admin: AdminPrincipal, userId: string, tenantId: string | undefined): Promise<void> {
    const { user } = await this.inReach(admin, userId);
    // The member is mailed in the approval's own transaction: what must happen is never left to
    // an event (a crash after the commit would lose it). The event is for in-process reactions.
    const membership = await this.db.transaction(async (tx) => {
      const approved = await this.memberships.approveMemberIn(tx, userId, tenantFilter(admin, tenantId));
      if (user.email) {
        const tenant = await this.tenants.requireTenant(approved.tenantId);
        await this.outbox.enqueue(tx, {
          channel: 'email',
          to: user.email,
          template: 'member-approved',
          data: { appName: tenant.name },
        });
      }
      return approved;
    });
    const event: MemberApprovedEvent = {
      userId,
      tenantId: membership.tenantId,
      memberId: membership.memberId,
    };
    this.events.emit(MEMBER_APPROVED, event);
  }

  /** The user (404), if the caller may reach them: a ManageAuth token only its own tenant's members (403). */
  private async inReach(admin: AdminPrincipal, id: string): Promise<UserRecord> {
    const record = await this.users.getUser(id);
    if (
      admin.kind === 'tenant' &&
      !record.memberships.some((m) => m.membership.tenantId === admin.tenantId)
    ) {
      throw Errors.forbidden("The user is not a member of the token's tenant");
    }
    return record;
  }

  /** What the caller may see of a user: a ManageAuth token only the membership of its own tenant. */
  private visible(admin: AdminPrincipal, record: UserRecord): UserRecord {
    if (admin.kind === 'key') return record;
    return {
      ...record,
      memberships: record.memberships.filter((m) => m.membership.tenantId === admin.tenantId),
    };
  }
}
