import { mapUniqueViolation, UniqueConflicts } from '../database/db.js';

/** The 409s of the identity tables' unique constraints: what a caller can act on. */
const IDENTITY_CONFLICTS: UniqueConflicts = {
  tenant_key_uq: ['TENANT_KEY_EXISTS', 'A tenant with that key already exists'],
  role_tenant_name_uq: ['ROLE_EXISTS', 'A role with that name already exists in the tenant'],
  auth_client_client_id_key: ['CLIENT_ID_EXISTS', 'A client with that clientId already exists'],
  app_user_email_uq: ['EMAIL_ALREADY_EXISTS', 'A user with that email already exists'],
  app_user_username_uq: ['USERNAME_ALREADY_EXISTS', 'A user with that username already exists'],
  app_user_sso_id_uq: ['SSO_ID_ALREADY_EXISTS', 'A user with that ssoId already exists'],
  membership_user_tenant_uq: ['ALREADY_A_MEMBER', 'The user is already a member of that tenant'],
};

/** Rethrows a failed identity write as its 409 (unique violation) or 404 (vanished reference). */
export function mapConflict(err: unknown): never {
  mapUniqueViolation(err, IDENTITY_CONFLICTS);
}
