import { prepared, Queryable } from '../database/db.js';

/** The caller's account with their role in the token's tenant (null role: no membership there). */
export interface AccountRow {
  id: string;
  email: string | null;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  role: string | null;
  permissions: string[] | null;
  memberId: string | null;
  mfaEnabled: boolean;
  profile: Record<string, unknown> | null;
}

/** One round trip: /auth/me is on the hot path of every front end. */
export function accountInTenant(
  q: Queryable,
  userId: string,
  tenantId: string,
): Promise<AccountRow | undefined> {
  return q.row<AccountRow>(
    prepared(
      'tokens.me',
      `SELECT u.id, u.email, u.username, u.first_name AS "firstName", u.last_name AS "lastName",
              r.name AS role, r.permissions, m.member_id AS "memberId", u.mfa_enabled AS "mfaEnabled", u.profile
       FROM app_user u
       LEFT JOIN membership m ON m.user_id = u.id AND m.tenant_id = $2
       LEFT JOIN role r ON r.id = m.role_id
       WHERE u.id = $1`,
    ),
    [userId, tenantId],
  );
}
