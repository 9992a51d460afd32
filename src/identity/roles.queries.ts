import { columns } from '../database/columns.js';
import { Queryable } from '../database/db.js';
import type { Role } from './identity.types.js';

/** The role's columns as a `Role`. */
const COLUMNS = columns<Role>({
  id: 'id',
  tenantId: 'tenant_id',
  name: 'name',
  permissions: 'permissions',
  createdAt: 'created_at',
});

/** What an update of a role sets. */
export type RoleFields = Pick<Role, 'name' | 'permissions'>;

export async function roleById(q: Queryable, id: string): Promise<Role | undefined> {
  return q.row<Role>(`SELECT ${COLUMNS} FROM role WHERE id = $1`, [id]);
}

/** The role of a tenant with that name (in any letter case). */
export async function roleByName(q: Queryable, tenantId: string, name: string): Promise<Role | undefined> {
  return q.row<Role>(`SELECT ${COLUMNS} FROM role WHERE tenant_id = $1 AND lower(name) = lower($2)`, [
    tenantId,
    name,
  ]);
}

/** The roles of a tenant (or all), oldest first. */
export async function listRoles(q: Queryable, tenantId?: string): Promise<Role[]> {
  const rows = tenantId
    ? await q.rows<Role>(`SELECT ${COLUMNS} FROM role WHERE tenant_id = $1 ORDER BY created_at, id`, [
        tenantId,
      ])
    : await q.rows<Role>(`SELECT ${COLUMNS} FROM role ORDER BY created_at, id`);
  return rows;
}

export async function insertRole(
  q: Queryable,
  input: { tenantId: string; name: string; permissions: string[] },
): Promise<Role> {
  const row = await q.row<Role>(
    `INSERT INTO role (tenant_id, name, permissions) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
    [input.tenantId, input.name, input.permissions],
  );
  return row!;
}

const UPDATE = `UPDATE role SET name = $2, permissions = $3 WHERE id = $1 RETURNING ${COLUMNS}`;

/** Sets a role's name and permissions; undefined when there is no such role. */
export function updateRole(q: Queryable, id: string, r: RoleFields): Promise<Role | undefined> {
  return q.row<Role>(UPDATE, [id, r.name, r.permissions]);
}

/** Deletes a role (its members keep their membership without a role); answers whether it existed. */
export async function deleteRole(q: Queryable, id: string): Promise<boolean> {
  return (await q.exec(`DELETE FROM role WHERE id = $1`, [id])) > 0;
}
