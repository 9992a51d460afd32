import { columns } from '../database/columns.js';
import { Queryable } from '../database/db.js';
import type { Tenant } from './identity.types.js';

/** The tenant's columns as a `Tenant` (community_id is a bigint: answered as a number). */
const COLUMNS = columns<Tenant>({
  id: 'id',
  key: 'key',
  name: 'name',
  communityId: 'community_id::float8',
  createdAt: 'created_at',
});

/** What a write of a tenant sets. */
export type TenantFields = Pick<Tenant, 'key' | 'name'>;

export async function tenantById(q: Queryable, id: string): Promise<Tenant | undefined> {
  return q.row<Tenant>(`SELECT ${COLUMNS} FROM tenant WHERE id = $1`, [id]);
}

/** All tenants, oldest first. */
export async function listTenants(q: Queryable): Promise<Tenant[]> {
  return q.rows<Tenant>(`SELECT ${COLUMNS} FROM tenant ORDER BY created_at, id`);
}

export async function insertTenant(q: Queryable, input: TenantFields): Promise<Tenant> {
  const row = await q.row<Tenant>(`INSERT INTO tenant (key, name) VALUES ($1, $2) RETURNING ${COLUMNS}`, [
    input.key,
    input.name,
  ]);
  return row!;
}

const UPDATE = `UPDATE tenant SET key = $2, name = $3 WHERE id = $1 RETURNING ${COLUMNS}`;

/** Sets a tenant's key and name; undefined when there is no such tenant. */
export function updateTenant(q: Queryable, id: string, t: TenantFields): Promise<Tenant | undefined> {
  return q.row<Tenant>(UPDATE, [id, t.key, t.name]);
}

/** Deletes a tenant (its roles, clients and memberships cascade); answers whether it existed. */
export async function deleteTenant(q: Queryable, id: string): Promise<boolean> {
  return (await q.exec(`DELETE FROM tenant WHERE id = $1`, [id])) > 0;
}
