import { assignments, columns, ColumnsOf, insertion } from '../database/columns.js';
import { prepared, Queryable } from '../database/db.js';
import { LOCAL_PROVIDER, type User } from './identity.types.js';

/** The columns a write sets, by the property they hold. */
const WRITABLE = {
  email: 'email',
  emailVerified: 'email_verified',
  username: 'username',
  firstName: 'first_name',
  lastName: 'last_name',
  phone: 'phone',
  ssoId: 'sso_id',
} as const satisfies Partial<Record<keyof User, string>>;

export type UserFields = Pick<User, keyof typeof WRITABLE>;

const USER_COLUMNS: ColumnsOf<User> = {
  id: 'id',
  ...WRITABLE,
  mfaEnabled: 'mfa_enabled',
  profile: 'profile',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};
/** The user's columns as a `User`. */
const COLUMNS = columns(USER_COLUMNS);

const byId = prepared('identity.user-by-id', `SELECT ${COLUMNS} FROM app_user WHERE id = $1`);

export async function userById(q: Queryable, id: string): Promise<User | undefined> {
  return q.row<User>(byId, [id]);
}

const byLogin = prepared(
  'identity.users-by-login',
  `SELECT ${COLUMNS} FROM app_user WHERE lower(username) = lower($1) OR lower(email) = lower($1)`,
);

/** The users whose username or email is `login` (any letter case): at most two. */
export async function usersByLogin(q: Queryable, login: string): Promise<User[]> {
  return q.rows<User>(byLogin, [login]);
}

/**
 * A user a sign-in names, with what the password check needs in the same round trip: the local
 * credential and whether a code budget is kept for them.
 */
export interface SignInCandidate {
  user: User;
  /** The local credential; none when the user has no password. */
  credential: { id: string; passwordHash: string | null } | undefined;
  codeBudgetKept: boolean;
}

interface SignInRow extends User {
  credentialId: string | null;
  passwordHash: string | null;
  codeBudgetKept: boolean;
}

const SIGN_IN_EXTRAS = `c.id AS "credentialId", c.password_hash AS "passwordHash",
  EXISTS (SELECT 1 FROM user_code_budget b WHERE b.user_id = u.id) AS "codeBudgetKept"`;
const SIGN_IN_FROM = `FROM app_user u LEFT JOIN user_credential c ON c.user_id = u.id AND c.provider = '${LOCAL_PROVIDER}'`;

const signInByLogin = prepared(
  'identity.sign-in-by-login',
  `SELECT ${columns(USER_COLUMNS, 'u')}, ${SIGN_IN_EXTRAS} ${SIGN_IN_FROM}
   WHERE lower(u.username) = lower($1) OR lower(u.email) = lower($1)`,
);
const signInByEmail = prepared(
  'identity.sign-in-by-email',
  `SELECT ${columns(USER_COLUMNS, 'u')}, ${SIGN_IN_EXTRAS} ${SIGN_IN_FROM} WHERE lower(u.email) = lower($1)`,
);

/** `usersByLogin` (or `userByEmail`, `byEmail`) for a sign-in, each with its SignInCandidate extras. */
export async function signInCandidates(
  q: Queryable,
  login: string,
  byEmail: boolean,
): Promise<SignInCandidate[]> {
  const rows = await q.rows<SignInRow>(byEmail ? signInByEmail : signInByLogin, [login]);
  return rows.map(({ credentialId, passwordHash, codeBudgetKept, ...user }) => ({
    user,
    credential: credentialId === null ? undefined : { id: credentialId, passwordHash },
    codeBudgetKept,
  }));
}

const byEmail = prepared(
  'identity.user-by-email',
  `SELECT ${COLUMNS} FROM app_user WHERE lower(email) = lower($1)`,
);

export async function userByEmail(q: Queryable, email: string): Promise<User | undefined> {
  return q.row<User>(byEmail, [email]);
}

export async function userExists(q: Queryable, id: string): Promise<boolean> {
  return Boolean(await q.row(`SELECT 1 FROM app_user WHERE id = $1`, [id]));
}

export interface UserListQuery {
  tenantId?: string;
  email?: string;
  /** Text contained in the email, username, first or last name (case-insensitive). */
  search?: string;
  limit: number;
  offset: number;
}

/** Users, oldest first, optionally only the members of a tenant, the owner of an email, or a match. */
export async function listUsers(q: Queryable, filter: UserListQuery): Promise<User[]> {
  const like = filter.search ? `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  return q.rows<User>(
    `SELECT ${COLUMNS} FROM app_user u
     WHERE ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM membership ms WHERE ms.user_id = u.id AND ms.tenant_id = $1))
       AND ($2::text IS NULL OR lower(u.email) = lower($2))
       AND ($3::text IS NULL OR u.email ILIKE $3 OR u.username ILIKE $3 OR u.first_name ILIKE $3
            OR u.last_name ILIKE $3)
     ORDER BY u.created_at, u.id OFFSET $4 LIMIT $5`,
    [filter.tenantId || null, filter.email || null, like, filter.offset, filter.limit],
  );
}

export async function insertUser(
  q: Queryable,
  fields: UserFields & { profile: Record<string, unknown> },
): Promise<User> {
  const { profile, ...columns } = fields;
  const { names, placeholders, values } = insertion(WRITABLE, columns);
  const row = await q.row<User>(
    `INSERT INTO app_user (${names}, profile)
     VALUES (${placeholders}, $${values.length + 1}::jsonb) RETURNING ${COLUMNS}`,
    [...values, JSON.stringify(profile)],
  );
  return row!;
}

/** Sets the given fields (the others stay); answers the user, or undefined when they are gone. */
export async function updateUser(
  q: Queryable,
  id: string,
  patch: Partial<UserFields>,
): Promise<User | undefined> {
  const { sets, values } = assignments(WRITABLE, patch, 2);
  return q.row<User>(
    `UPDATE app_user SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, ...values],
  );
}

/** Deletes a user (credentials, memberships and sessions cascade); answers whether they existed. */
export async function deleteUser(q: Queryable, id: string): Promise<boolean> {
  return (await q.exec(`DELETE FROM app_user WHERE id = $1`, [id])) > 0;
}

/** Locks the user's row until the end of `q`'s transaction; answers their email (undefined: no such user). */
export function lockUser(q: Queryable, userId: string): Promise<{ email: string | null } | undefined> {
  return q.row<{ email: string | null }>(`SELECT email FROM app_user WHERE id = $1 FOR UPDATE`, [userId]);
}

/** Locks the user's row while `email` is still their address and still proven; false when it is not. */
export async function lockProvenEmail(q: Queryable, userId: string, email: string): Promise<boolean> {
  const row = await q.row(
    `SELECT 1 FROM app_user WHERE id = $1 AND lower(email) = lower($2) AND email_verified FOR UPDATE`,
    [userId, email],
  );
  return row !== undefined;
}

export async function setMfaEnabled(q: Queryable, userId: string, enabled: boolean): Promise<void> {
  await q.exec(`UPDATE app_user SET mfa_enabled = $2, updated_at = now() WHERE id = $1`, [userId, enabled]);
}

/**
 * Merges `set` into the profile and removes the `unset` keys, in one statement; `first_name` and
 * `last_name` follow the profile's `firstName` / `lastName`.
 */
export async function updateProfile(
  q: Queryable,
  userId: string,
  set: Record<string, unknown>,
  unset: string[],
): Promise<void> {
  await q.exec(
    `UPDATE app_user SET
       profile = (coalesce(profile, '{}'::jsonb) || $2::jsonb) - $3::text[],
       first_name = CASE WHEN jsonb_exists($2::jsonb, 'firstName') THEN $2::jsonb->>'firstName'
                         WHEN 'firstName' = ANY($3::text[]) THEN NULL ELSE first_name END,
       last_name = CASE WHEN jsonb_exists($2::jsonb, 'lastName') THEN $2::jsonb->>'lastName'
                        WHEN 'lastName' = ANY($3::text[]) THEN NULL ELSE last_name END,
       updated_at = now()
     WHERE id = $1`,
    [userId, JSON.stringify(set), unset],
  );
}

/** Marks the email proven while it is still `email`; answers whether it did. */
export async function markEmailVerified(q: Queryable, userId: string, email: string): Promise<boolean> {
  const affected = await q.exec(
    `UPDATE app_user SET email_verified = true, updated_at = now() WHERE id = $1 AND lower(email) = lower($2)`,
    [userId, email],
  );
  return affected > 0;
}
