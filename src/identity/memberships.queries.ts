import { columns, ColumnsOf } from '../database/columns.js';
import { prepared, Queryable } from '../database/db.js';
import type { MemberRecord, Membership, MembershipStatus, Role } from './identity.types.js';

/** The membership's columns as a `Membership` (member_id is a bigint: answered as a number). */
const MEMBERSHIP: ColumnsOf<Membership> = {
  id: 'id',
  userId: 'user_id',
  tenantId: 'tenant_id',
  memberId: 'member_id::float8',
  roleId: 'role_id',
  status: 'status',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

const COLUMNS = columns(MEMBERSHIP);

const ofUserInTenant = prepared(
  'identity.membership',
  `SELECT ${COLUMNS} FROM membership WHERE user_id = $1 AND tenant_id = $2`,
);

/** The membership of `userId` in `tenantId` (many logins and recoveries ask). */
export async function membershipOf(
  q: Queryable,
  userId: string,
  tenantId: string,
): Promise<Membership | undefined> {
  return q.row<Membership>(ofUserInTenant, [userId, tenantId]);
}

const withRole = prepared(
  'identity.member-access',
  `SELECT ${columns(MEMBERSHIP, 'm')},
          r.tenant_id AS r_tenant_id, r.name AS r_name, r.permissions AS r_permissions,
          r.created_at AS r_created_at
   FROM membership m LEFT JOIN role r ON r.id = m.role_id
   WHERE m.user_id = $1 AND m.tenant_id = $2`,
);

/** The membership with its role, in one read: every login and token issue asks. */
export async function membershipWithRole(
  q: Queryable,
  userId: string,
  tenantId: string,
): Promise<{ membership: Membership; role: Role | null } | undefined> {
  const row = await q.row<
    Membership & {
      r_tenant_id: string | null;
      r_name: string;
      r_permissions: string[];
      r_created_at: Date;
    }
  >(withRole, [userId, tenantId]);
  if (!row) return undefined;
  const { r_tenant_id, r_name, r_permissions, r_created_at, ...membership } = row;
  const role: Role | null =
    membership.roleId && r_tenant_id
      ? {
          id: membership.roleId,
          tenantId: r_tenant_id,
          name: r_name,
          permissions: r_permissions,
          createdAt: r_created_at,
        }
      : null;
  return { membership, role };
}

const activePermissionsOf = prepared(
  'identity.active-permissions',
  `SELECT r.permissions FROM membership m LEFT JOIN role r ON r.id = m.role_id
   WHERE m.user_id = $1 AND m.tenant_id = $2 AND m.status = 'ACTIVE'`,
);

/** The permissions of an ACTIVE membership's role; undefined without an active membership. */
export async function activePermissions(
  q: Queryable,
  userId: string,
  tenantId: string,
): Promise<string[] | undefined> {
  const row = await q.row<{ permissions: string[] | null }>(activePermissionsOf, [userId, tenantId]);
  return row && (row.permissions ?? []);
}

/** Up to `limit` memberships of a user, oldest first. */
export async function membershipsOfUser(q: Queryable, userId: string, limit: number): Promise<Membership[]> {
  return q.rows<Membership>(
    `SELECT ${COLUMNS} FROM membership WHERE user_id = $1 ORDER BY created_at, id LIMIT $2`,
    [userId, limit],
  );
}

/** The memberships of these users with their role names, oldest first. */
export async function memberRecordsOf(q: Queryable, userIds: string[]): Promise<Map<string, MemberRecord[]>> {
  const byUser = new Map<string, MemberRecord[]>(userIds.map((id) => [id, []]));
  if (!userIds.length) return byUser;
  const rows = await q.rows<Membership & { role_name: string | null }>(
    `SELECT ${columns(MEMBERSHIP, 'm')}, r.name AS role_name
     FROM membership m LEFT JOIN role r ON r.id = m.role_id
     WHERE m.user_id = ANY($1::uuid[]) ORDER BY m.created_at, m.id`,
    [userIds],
  );
  for (const { role_name, ...membership } of rows)
    byUser.get(membership.userId)?.push({ membership, role: role_name });
  return byUser;
}

export async function insertMembership(
  q: Queryable,
  input: { userId: string; tenantId: string; roleId: string | null; status: MembershipStatus },
): Promise<Membership> {
  const row = await q.row<Membership>(
    `INSERT INTO membership (user_id, tenant_id, role_id, status) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [input.userId, input.tenantId, input.roleId, input.status],
  );
  return row!;
}

export async function updateMembership(
  q: Queryable,
  id: string,
  input: { status: MembershipStatus; roleId: string | null },
): Promise<Membership> {
  const row = await q.row<Membership>(
    `UPDATE membership SET status = $2, role_id = $3, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, input.status, input.roleId],
  );
  return row!;
}

/** PENDING_APPROVAL -> ACTIVE; undefined when the membership was not pending (conditional write). */
export async function approveMembership(q: Queryable, id: string): Promise<Membership | undefined> {
  return q.row<Membership>(
    `UPDATE membership SET status = 'ACTIVE', updated_at = now()
     WHERE id = $1 AND status = 'PENDING_APPROVAL' RETURNING ${COLUMNS}`,
    [id],
  );
}

/** Removes a user from a tenant; answers whether they were a member. */
export async function deleteMembership(q: Queryable, userId: string, tenantId: string): Promise<boolean> {
  return (
    (await q.exec(`DELETE FROM membership WHERE user_id = $1 AND tenant_id = $2`, [userId, tenantId])) > 0
  );
}
