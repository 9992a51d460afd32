import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Membership } from './entities/membership.entity.js';
import { Role } from './entities/role.entity.js';
import { Errors } from '../common/errors/app-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface MemberAccess {
  membership: Membership;
  role: Role | null;
  permissions: string[];
}

/** Memberships (user x tenant) and the permissions their role grants. */
@Injectable()
export class MembershipsService {
  constructor(
    @InjectRepository(Membership) private readonly memberships: Repository<Membership>,
    @InjectRepository(Role) private readonly roles: Repository<Role>,
  ) {}

  /** `manager` keeps the read on the caller's transaction connection (no second pool connection). */
  find(userId: string, tenantId: string, manager?: EntityManager): Promise<Membership | null> {
    return (manager?.getRepository(Membership) ?? this.memberships).findOneBy({ userId, tenantId });
  }

  listForUser(userId: string): Promise<Membership[]> {
    return this.memberships.find({ where: { userId }, order: { createdAt: 'ASC' } });
  }

  async access(membership: Membership, manager?: EntityManager): Promise<MemberAccess> {
    const roles = manager?.getRepository(Role) ?? this.roles;
    const role = membership.roleId ? await roles.findOneBy({ id: membership.roleId }) : null;
    return { membership, role, permissions: role?.permissions ?? [] };
  }

  /**
   * The permissions `userId` holds in `tenantId` right now: those of the role of an ACTIVE
   * membership, or null when there is no active membership. One indexed read; the permission
   * checks of this service's own routes (admin, login activity) call it on every request, so a
   * demotion, a changed role or a lock takes effect at once, also for access tokens already issued.
   */
  async activePermissions(userId: string, tenantId: string): Promise<string[] | null> {
    if (!UUID.test(userId) || !UUID.test(tenantId)) return null;
    const rows: { permissions: string[] | null }[] = await this.memberships.manager.query(
      `SELECT r.permissions FROM membership m LEFT JOIN role r ON r.id = m.role_id
       WHERE m.user_id = $1 AND m.tenant_id = $2 AND m.status = 'ACTIVE'`,
      [userId, tenantId],
    );
    return rows.length ? (rows[0]!.permissions ?? []) : null;
  }

  /**
   * The access of an ACTIVE member of `tenantId`. 403 NOT_A_MEMBER when there is no membership,
   * 403 with the status as code (LOCKED, PENDING_APPROVAL, ...) when it is not active.
   */
  async requireActive(userId: string, tenantId: string, manager?: EntityManager): Promise<MemberAccess> {
    // One query (membership with its role): every login and token issue passes here.
    const membership = await (manager?.getRepository(Membership) ?? this.memberships)
      .createQueryBuilder('m')
      .leftJoinAndMapOne('m.role', Role, 'r', 'r.id = m.role_id')
      .where('m.user_id = :userId AND m.tenant_id = :tenantId', { userId, tenantId })
      .getOne();
    if (!membership) throw Errors.notAMember();
    if (membership.status !== 'ACTIVE') throw Errors.membershipStatus(membership.status);
    const role = (membership as Membership & { role?: Role }).role ?? null;
    delete (membership as Membership & { role?: Role }).role;
    return { membership, role, permissions: role?.permissions ?? [] };
  }
}
