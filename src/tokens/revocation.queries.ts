import { prepared, Queryable } from '../database/db.js';

/** A revocation that still matters: its id (a jti or a sid) and when its tokens expire (epoch ms). */
export interface LiveRevocation {
  id: string;
  until: number;
}

/** Revoked access tokens (by jti) whose tokens have not expired yet. */
export async function liveRevokedAccessTokens(q: Queryable): Promise<LiveRevocation[]> {
  const found = await q.rows<{ id: string; until: string }>(
    `SELECT jti AS id, (extract(epoch from expires_at) * 1000)::bigint AS until
     FROM revoked_access_token WHERE expires_at > now()`,
  );
  return found.map((r) => ({ id: r.id, until: Number(r.until) }));
}

/** Revoked sessions (by sid) whose access tokens have not expired yet. */
export async function liveRevokedSessions(q: Queryable): Promise<LiveRevocation[]> {
  const found = await q.rows<{ id: string; until: string }>(
    `SELECT sid AS id, (extract(epoch from expires_at) * 1000)::bigint AS until
     FROM revoked_session WHERE expires_at > now()`,
  );
  return found.map((r) => ({ id: r.id, until: Number(r.until) }));
}

export async function insertRevokedAccessToken(q: Queryable, jti: string, expiresAt: Date): Promise<void> {
  await q.exec(
    prepared(
      'tokens.revoke_jti',
      `INSERT INTO revoked_access_token (jti, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    ),
    [jti, expiresAt],
  );
}

/** Records a revoked session (kept until its newest access token expired, even after the session row is gone). */
export async function insertRevokedSession(q: Queryable, sid: string, accessExpiresAt: Date): Promise<void> {
  await q.exec(
    prepared(
      'tokens.revoke_sid',
      `INSERT INTO revoked_session (sid, expires_at) VALUES ($1, $2)
       ON CONFLICT (sid) DO UPDATE SET expires_at = greatest(revoked_session.expires_at, EXCLUDED.expires_at)`,
    ),
    [sid, accessExpiresAt],
  );
}

/** A notification Postgres delivers at commit to every instance LISTENing on `channel`. */
export async function notify(q: Queryable, channel: string, payload: string): Promise<void> {
  await q.exec(prepared('tokens.notify', `SELECT pg_notify($1, $2)`), [channel, payload]);
}
