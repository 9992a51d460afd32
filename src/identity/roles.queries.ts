import { Queryable } from '../database/db.js';
import type { Role } from './identity.types.js';

export interface RoleRow {
  id: string;
  tenant_id: string;
  name: string;
  permissions: string[];
  created_at: Date;
}

const COLUMNS = 'id, tenant_id, name, permissions, created_at';

export function toRole(row: RoleRow): Role {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    permissions: row.permissions,
    createdAt: row.created_at,
  };
}

export async function roleById(q: Queryable, id: string): Promise<Role | undefined> {
  const row = await q.row<RoleRow>(`SELECT ${COLUMNS} FROM role WHERE id = $1`, [id]);
  return row && toRole(row);
}

/** The role of a tenant with that name (in any letter case). */
export async function roleByName(q: Queryable, tenantId: string, name: string): Promise<Role | undefined> {
  const row = await q.row<RoleRow>(
    `SELECT ${COLUMNS} FROM role WHERE tenant_id = $1 AND lower(name) = lower($2)`,
    [tenantId, name],
  );
  return row && toRole(row);
}

/** The roles of a tenant (or all), oldest first. */
export async function listRoles(q: Queryable, tenantId?: string): Promise<Role[]> {
  const rows = tenantId
    ? await q.rows<RoleRow>(`SELECT ${COLUMNS} FROM role WHERE tenant_id = $1 ORDER BY created_at, id`, [
        tenantId,
      ])
    : await q.rows<RoleRow>(`SELECT ${COLUMNS} FROM role ORDER BY created_at, id`);
  return rows.map(toRole);
}

export async function insertRole(
  q: Queryable,
  input: { tenantId: string; name: string; permissions: string[] },
): Promise<Role> {
  const row = await q.row<RoleRow>(
    `INSERT INTO role (tenant_id, name, permissions) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
    [input.tenantId, input.name, input.permissions],
  );
  return toRole(row!);
}

export async function updateRole(
  q: Queryable,
  id: string,
  input: { name: string; permissions: string[] },
): Promise<Role | undefined> {
  const row = await q.row<RoleRow>(
    `UPDATE role SET name = $2, permissions = $3 WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, input.name, input.permissions],
  );
  return row && toRole(row);
}

/** Deletes a role (its members keep their membership without a role); answers whether it existed. */
export async function deleteRole(q: Queryable, id: string): Promise<boolean> {
  return (await q.exec(`DELETE FROM role WHERE id = $1`, [id])) > 0;
}
