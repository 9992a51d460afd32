import { assignments, columns, insertion } from '../database/columns.js';
import { prepared, Queryable } from '../database/db.js';
import type { AuthClient } from './identity.types.js';

/** The columns a write sets, by the property they hold. */
const WRITABLE = {
  clientId: 'client_id',
  name: 'name',
  tenantId: 'tenant_id',
  secretHash: 'secret_hash',
  isPublic: 'is_public',
  redirectUrls: 'redirect_urls',
  allowedOrigins: 'allowed_origins',
  accessTokenExpiration: 'access_token_expiration',
  refreshTokenExpiration: 'refresh_token_expiration',
  authCodeExpiration: 'auth_code_expiration',
  mfaRequired: 'mfa_required',
  allowSignUp: 'allow_sign_up',
  requireOwnerApproval: 'require_owner_approval',
  requireEmailVerification: 'require_email_verification',
  captchaRequired: 'captcha_required',
  resetPasswordUrl: 'reset_password_url',
  signUpUrl: 'sign_up_url',
  idTokenSignedResponseAlg: 'id_token_signed_response_alg',
} as const satisfies Partial<Record<keyof AuthClient, string>>;

export type ClientFields = Pick<AuthClient, keyof typeof WRITABLE>;

/** The client's columns as an `AuthClient`. */
const COLUMNS = columns<AuthClient>({
  id: 'id',
  ...WRITABLE,
  createdAt: 'created_at',
  updatedAt: 'updated_at',
});

const byClientId = prepared(
  'identity.client-by-client-id',
  `SELECT ${COLUMNS} FROM auth_client WHERE client_id = $1`,
);

/** A client by its caller-chosen `client_id` (every login and token request). */
export async function clientByClientId(q: Queryable, clientId: string): Promise<AuthClient | undefined> {
  return q.row<AuthClient>(byClientId, [clientId]);
}

const byId = prepared('identity.client-by-id', `SELECT ${COLUMNS} FROM auth_client WHERE id = $1`);

/** A client by its uuid (refresh, sessions and codes name it so). */
export async function clientById(q: Queryable, id: string): Promise<AuthClient | undefined> {
  return q.row<AuthClient>(byId, [id]);
}

/** The clients of a tenant (or all), oldest first, without those whose id starts with `skipPrefix`. */
export async function listClients(
  q: Queryable,
  tenantId: string | undefined,
  skipPrefix: string,
): Promise<AuthClient[]> {
  const skip = `${skipPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return q.rows<AuthClient>(
    `SELECT ${COLUMNS} FROM auth_client
     WHERE client_id NOT LIKE $1 AND ($2::uuid IS NULL OR tenant_id = $2)
     ORDER BY created_at, id`,
    [skip, tenantId ?? null],
  );
}

export async function insertClient(q: Queryable, fields: ClientFields): Promise<AuthClient> {
  const { names, placeholders, values } = insertion(WRITABLE, fields);
  const row = await q.row<AuthClient>(
    `INSERT INTO auth_client (${names}) VALUES (${placeholders}) RETURNING ${COLUMNS}`,
    values,
  );
  return row!;
}

/** Sets the given fields (the others stay); answers the client, or undefined when it is gone. */
export async function updateClient(
  q: Queryable,
  id: string,
  patch: Partial<ClientFields>,
): Promise<AuthClient | undefined> {
  const { sets, values } = assignments(WRITABLE, patch, 2);
  return q.row<AuthClient>(
    `UPDATE auth_client SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, ...values],
  );
}

/** Deletes a client (its sessions and codes cascade); answers whether it existed. */
export async function deleteClient(q: Queryable, id: string): Promise<boolean> {
  return (await q.exec(`DELETE FROM auth_client WHERE id = $1`, [id])) > 0;
}

/** Every origin some client allows. */
export async function allowedOrigins(q: Queryable): Promise<string[]> {
  const rows = await q.rows<{ origin: string }>(
    'SELECT DISTINCT unnest(allowed_origins) AS origin FROM auth_client',
  );
  return rows.map((r) => r.origin);
}
