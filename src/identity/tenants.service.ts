import { Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import { Db, Queryable } from '../database/db.js';
import { mapConflict } from './conflicts.js';
import type { Tenant } from './identity.types.js';
import * as tenants from './tenants.queries.js';

/** Tenants: creation and administration (admin routes, the CLI, the console). */
@Injectable()
export class TenantsService {
  constructor(private readonly db: Db) {}

  /** The tenant (404 when there is none). */
  requireTenant(id: string): Promise<Tenant> {
    return this.requireTenantIn(this.db, id);
  }

  /** The tenant, read on the caller's transaction (404 when there is none). */
  async requireTenantIn(tx: Queryable, id: string): Promise<Tenant> {
    const tenant = await tenants.tenantById(tx, id);
    if (!tenant) throw Errors.notFound('Tenant not found');
    return tenant;
  }

  async createTenant(input: { key: string; name: string }): Promise<Tenant> {
    try {
      return await tenants.insertTenant(this.db, input);
    } catch (err) {
      mapConflict(err);
    }
  }

  /** All tenants, oldest first. */
  listTenants(): Promise<Tenant[]> {
    return tenants.listTenants(this.db);
  }

  async updateTenant(id: string, input: { key?: string; name?: string }): Promise<Tenant> {
    try {
      return await this.db.transaction(async (tx) => {
        const tenant = await this.requireTenantIn(tx, id);
        const updated = await tenants.updateTenant(tx, id, {
          key: input.key ?? tenant.key,
          name: input.name ?? tenant.name,
        });
        return updated!;
      });
    } catch (err) {
      mapConflict(err);
    }
  }

  /** Deletes a tenant with its roles, clients and memberships (the schema cascades). */
  async deleteTenant(tx: Queryable, id: string): Promise<void> {
    if (!(await tenants.deleteTenant(tx, id))) throw Errors.notFound('Tenant not found');
  }
}
