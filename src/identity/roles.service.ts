import { Injectable } from '@nestjs/common';
import { AppError, Errors } from '../common/errors/app-error.js';
import { Db, Queryable } from '../database/db.js';
import { mapConflict } from './conflicts.js';
import type { Role } from './identity.types.js';
import * as roles from './roles.queries.js';
import { TenantsService } from './tenants.service.js';

/** Roles: the named permission sets of a tenant. */
@Injectable()
export class RolesService {
  constructor(
    private readonly db: Db,
    private readonly tenants: TenantsService,
  ) {}

  async createRole(input: { tenantId: string; name: string; permissions: string[] }): Promise<Role> {
    await this.tenants.requireTenant(input.tenantId);
    try {
      return await roles.insertRole(this.db, { ...input, permissions: [...new Set(input.permissions)] });
    } catch (err) {
      mapConflict(err);
    }
  }

  /** The tenant's role of that name, in any letter case (400 UNKNOWN_ROLE when there is none). */
  async findRole(tx: Queryable, tenantId: string, name: string): Promise<Role> {
    const role = await roles.roleByName(tx, tenantId, name);
    if (!role) throw new AppError(400, 'UNKNOWN_ROLE', `No role named "${name}" in that tenant`);
    return role;
  }

  /** The roles of a tenant (or all), oldest first. */
  listRoles(tenantId?: string): Promise<Role[]> {
    return roles.listRoles(this.db, tenantId);
  }

  /** The role (404 when there is none). */
  requireRole(id: string): Promise<Role> {
    return this.requireRoleIn(this.db, id);
  }

  private async requireRoleIn(tx: Queryable, id: string): Promise<Role> {
    const role = await roles.roleById(tx, id);
    if (!role) throw Errors.notFound('Role not found');
    return role;
  }

  async updateRole(id: string, input: { name?: string; permissions?: string[] }): Promise<Role> {
    try {
      return await this.db.transaction(async (tx) => {
        const role = await this.requireRoleIn(tx, id);
        const updated = await roles.updateRole(tx, id, {
          name: input.name ?? role.name,
          permissions: input.permissions ? [...new Set(input.permissions)] : role.permissions,
        });
        return updated!;
      });
    } catch (err) {
      mapConflict(err);
    }
  }

  /** Deletes a role; its members keep their membership without a role (ON DELETE SET NULL). */
  async deleteRole(id: string): Promise<void> {
    if (!(await roles.deleteRole(this.db, id))) throw Errors.notFound('Role not found');
  }
}
