import { Injectable } from '@nestjs/common';
import type { Role } from '../identity/identity.types.js';
import { RolesService } from '../identity/roles.service.js';
import { AdminPrincipal, assertTenant, tenantFilter } from '../tokens/guards/admin-principal.js';
import type { CreateRoleDto, UpdateRoleDto } from './dto/role.dto.js';

/** Roles, within the caller's reach: a ManageAuth token only touches its own tenant's. */
@Injectable()
export class AdminRolesService {
  constructor(private readonly roles: RolesService) {}

  create(admin: AdminPrincipal, dto: CreateRoleDto): Promise<Role> {
    assertTenant(admin, dto.tenantId);
    return this.roles.createRole(dto);
  }

  list(admin: AdminPrincipal, tenantId: string | undefined): Promise<Role[]> {
    return this.roles.listRoles(tenantFilter(admin, tenantId));
  }

  async get(admin: AdminPrincipal, id: string): Promise<Role> {
    const role = await this.roles.requireRole(id);
    assertTenant(admin, role.tenantId);
    return role;
  }

  async update(admin: AdminPrincipal, id: string, dto: UpdateRoleDto): Promise<Role> {
    await this.get(admin, id);
    return this.roles.updateRole(id, dto);
  }

  async delete(admin: AdminPrincipal, id: string): Promise<void> {
    await this.get(admin, id);
    await this.roles.deleteRole(id);
  }
}
