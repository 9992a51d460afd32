import { columns, ColumnsOf } from '../database/columns.js';
import { prepared, Queryable, Statement } from '../database/db.js';

/** A server-to-server credential of one tenant (API.md sections 1 and 9). Only its SHA-256 is stored. */
export interface HeadlessToken {
  id: string;
  tenantId: string;
  /** The auth client member sessions are issued for; null: the tenant's internal headless client. */
  clientId: string | null;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** The token's columns as a `HeadlessToken`. */
const TOKEN: ColumnsOf<HeadlessToken> = {
  id: 'id',
  tenantId: 'tenant_id',
  clientId: 'client_id',
  name: 'name',
  createdAt: 'created_at',
  lastUsedAt: 'last_used_at',
};

const TOKEN_COLUMNS = columns(TOKEN);

export async function insertHeadlessToken(
  q: Queryable,
  input: { tenantId: string; clientId: string | null; name: string; tokenHash: Buffer },
): Promise<HeadlessToken> {
  const row = await q.row<HeadlessToken>(
    `INSERT INTO headless_token (tenant_id, client_id, name, token_hash) VALUES ($1, $2, $3, $4)
     RETURNING ${TOKEN_COLUMNS}`,
    [input.tenantId, input.clientId, input.name, input.tokenHash],
  );
  return row!;
}

/** Every token (of one tenant, when given), oldest first, with the public clientId of its client. */
export async function listHeadlessTokens(
  q: Queryable,
  tenantId: string | undefined,
): Promise<{ token: HeadlessToken; publicClientId: string | null }[]> {
  const rows = await q.rows<HeadlessToken & { public_client_id: string | null }>(
    `SELECT ${columns(TOKEN, 'h')}, a.client_id AS public_client_id
     FROM headless_token h LEFT JOIN auth_client a ON a.id = h.client_id
     WHERE $1::uuid IS NULL OR h.tenant_id = $1::uuid
     ORDER BY h.created_at, h.id`,
    [tenantId ?? null],
  );
  return rows.map(({ public_client_id, ...token }) => ({ token, publicClientId: public_client_id }));
}

export async function findHeadlessToken(q: Queryable, id: string): Promise<HeadlessToken | undefined> {
  return q.row<HeadlessToken>(`SELECT ${TOKEN_COLUMNS} FROM headless_token WHERE id = $1`, [id]);
}

/** Deletes a token; answers whether it existed. */
export async function deleteHeadlessToken(q: Queryable, id: string): Promise<boolean> {
  return (await q.exec('DELETE FROM headless_token WHERE id = $1', [id])) > 0;
}

const BY_HASH = prepared(
  'headless-member.token-by-hash',
  `SELECT ${TOKEN_COLUMNS} FROM headless_token WHERE token_hash = $1`,
);

/** The token with this SHA-256 (every headless call). */
export async function findHeadlessTokenByHash(
  q: Queryable,
  hash: Buffer,
): Promise<HeadlessToken | undefined> {
  return q.row<HeadlessToken>(BY_HASH, [hash]);
}

const TOUCH = prepared(
  'headless-member.touch-token',
  'UPDATE headless_token SET last_used_at = $2 WHERE id = $1',
);

export async function touchHeadlessToken(q: Queryable, id: string, at: Date): Promise<void> {
  await q.exec(TOUCH, [id, at]);
}

const MEMBER_BY = {
  communityMemberId: 'm.member_id = $2::bigint',
  email: 'lower(u.email) = lower($2)',
  ssoId: 'u.sso_id = $2',
} as const;

export type MemberKeyName = keyof typeof MEMBER_BY;

type FoundMember = { userId: string; memberId: number; communityId: number };

const MEMBER_COLUMNS = columns<FoundMember>({
  userId: 'm.user_id',
  memberId: 'm.member_id::float8',
  communityId: 't.community_id::float8',
});

/** One prepared statement per key. */
const MEMBER_STATEMENTS = Object.fromEntries(
  Object.entries(MEMBER_BY).map(([key, condition]) => [
    key,
    prepared(
      `headless-member.member-by-${key}`,
      `SELECT ${MEMBER_COLUMNS}
       FROM membership m JOIN app_user u ON u.id = m.user_id JOIN tenant t ON t.id = m.tenant_id
       WHERE m.tenant_id = $1 AND ${condition}`,
    ),
  ]),
) as Record<MemberKeyName, Statement>;

/**
 * The member of `tenantId` whose `by` (member id, email or SSO id) is `value`: membership x user x
 * tenant, each key on a unique index.
 */
export async function findMember(
  q: Queryable,
  tenantId: string,
  by: MemberKeyName,
  value: string,
): Promise<FoundMember | undefined> {
  return q.row<FoundMember>(MEMBER_STATEMENTS[by], [tenantId, value]);
}
