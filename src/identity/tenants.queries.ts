import { Queryable } from '../database/db.js';
import type { Tenant } from './identity.types.js';

interface TenantRow {
  id: string;
  key: string;
  name: string;
  community_id: string;
  created_at: Date;
}

const COLUMNS = 'id, key, name, community_id, created_at';

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    communityId: Number(row.community_id),
    createdAt: row.created_at,
  };
}

export async function tenantById(q: Queryable, id: string): Promise<Tenant | undefined> {
  const row = await q.row<TenantRow>(`SELECT ${COLUMNS} FROM tenant WHERE id = $1`, [id]);
  return row && toTenant(row);
}

/** All tenants, oldest first. */
export async function listTenants(q: Queryable): Promise<Tenant[]> {
  const rows = await q.rows<TenantRow>(`SELECT ${COLUMNS} FROM tenant ORDER BY created_at, id`);
  return rows.map(toTenant);
}

export async function insertTenant(q: Queryable, input: { key: string; name: string }): Promise<Tenant> {
  const row = await q.row<TenantRow>(`INSERT INTO tenant (key, name) VALUES ($1, $2) RETURNING ${COLUMNS}`, [
    input.key,
    input.name,
  ]);
  return toTenant(row!);
}

export async function updateTenant(
  q: Queryable,
  id: string,
  input: { key: string; name: string },
): Promise<Tenant | undefined> {
  const row = await q.row<TenantRow>(
    `UPDATE tenant SET key = $2, name = $3 WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, input.key, input.name],
  );
  return row && toTenant(row);
}

/** Deletes a tenant (its roles, clients and memberships cascade); answers whether it existed. */
export async function deleteTenant(q: Queryable, id: string): Promise<boolean> {
  return (await q.exec(`DELETE FROM tenant WHERE id = $1`, [id])) > 0;
}
