import type { Queryable } from '../database/db.js';

/** Spent or expired rows are kept a little while for investigation of reuse, then purged. */
const KEEP_AFTER_EXPIRY = '1 day';

/**
 * The purge of each table of the token engine, in order: expired codes, refresh tokens, sessions
 * (expired, or revoked a while ago with their access tokens expired), revocations whose tokens
 * expired, one-time tokens, and signing keys past `verify_until`.
 */
const PURGES: [table: string, sql: string][] = [
  ['auth_code', `DELETE FROM auth_code WHERE expires_at < now() - interval '${KEEP_AFTER_EXPIRY}'`],
  ['refresh_token', `DELETE FROM refresh_token WHERE expires_at < now() - interval '${KEEP_AFTER_EXPIRY}'`],
  [
    'session',
    `DELETE FROM session WHERE expires_at < now() - interval '${KEEP_AFTER_EXPIRY}'
       OR (revoked_at IS NOT NULL AND revoked_at < now() - interval '${KEEP_AFTER_EXPIRY}' AND access_expires_at < now())`,
  ],
  ['revoked_access_token', `DELETE FROM revoked_access_token WHERE expires_at < now()`],
  ['revoked_session', `DELETE FROM revoked_session WHERE expires_at < now()`],
  ['one_time_token', `DELETE FROM one_time_token WHERE expires_at < now() - interval '${KEEP_AFTER_EXPIRY}'`],
  ['signing_key', `DELETE FROM signing_key WHERE verify_until IS NOT NULL AND verify_until < now()`],
];

/** Runs every purge, each on its own, counting into `purged` the rows each table lost (as far as it got). */
export async function purgeExpiredTokens(q: Queryable, purged: Record<string, number>): Promise<void> {
  for (const [table, sql] of PURGES) purged[table] = await q.exec(sql);
}
