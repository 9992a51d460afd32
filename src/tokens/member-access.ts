import { Errors } from '../common/errors/app-error.js';
import type { Queryable } from '../database/db.js';
import { memberAccess } from './sessions.queries.js';

/**
 * The permissions of an ACTIVE member of `tenantId`, read on `q` (the caller's transaction, which
 * may just have created the membership): 403 NOT_A_MEMBER, or the membership status, otherwise.
 * Every session start and access-token issue passes here, so a locked member or a changed role
 * takes effect at once.
 */
export async function activeMemberPermissions(
  q: Queryable,
  userId: string,
  tenantId: string,
): Promise<string[]> {
  const access = await memberAccess(q, userId, tenantId);
  if (!access) throw Errors.notAMember();
  if (access.status !== 'ACTIVE') throw Errors.membershipStatus(access.status);
  return access.permissions;
}
