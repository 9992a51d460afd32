import { prepared, Queryable } from '../database/db.js';

/**
 * The public client id (`auth_client.client_id`) a member refresh token, current or rotated, was
 * issued to; undefined for an unknown token. On the refresh path: a prepared statement.
 */
export async function clientIdOfRefreshToken(q: Queryable, tokenHash: Buffer): Promise<string | undefined> {
  const row = await q.row<{ client_id: string }>(
    prepared(
      'oauth2.refresh-token-client',
      `SELECT a.client_id FROM refresh_token r
         JOIN session s ON s.id = r.session_id JOIN auth_client a ON a.id = s.client_id
       WHERE r.token_hash = $1`,
    ),
    [tokenHash],
  );
  return row?.client_id;
}
