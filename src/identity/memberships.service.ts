import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Membership } from './entities/membership.entity.js';
import { Role } from './entities/role.entity.js';
import { Errors } from '../common/errors/app-error.js';

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
