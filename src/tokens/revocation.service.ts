import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Db, Queryable } from '../database/db.js';
import { PgListener } from '../database/pg-listener.js';
import {
  insertRevokedAccessToken,
  insertRevokedSession,
  liveRevokedAccessTokens,
  liveRevokedSessions,
  notify,
} from './revocation.queries.js';

const CHANNEL = 'auth_revocations';
const RESYNC_INTERVAL_MS = 60_000;

interface RevocationMessage {
  /** `j` = one access token (jti), `s` = every access token of a session (sid). */
  k: 'j' | 's';
  id: string;
  /** Epoch ms after which the revocation no longer matters (the tokens have expired). */
  until: number;
}

/**
 * Revoked access tokens, by jti and by session, held in memory on every instance so a protected
 * request never waits on the database for this check. Writes happen inside the caller's
 * transaction with a pg_notify, which Postgres delivers at commit to every instance's LISTEN
 * connection (well within the contract's 1 s). A periodic resync and a resync after a lost LISTEN
 * connection cover notifications that could not be delivered.
 */
@Injectable()
export class RevocationService implements OnModuleInit {
  private readonly logger = new Logger('Revocation');
  private readonly jtis = new Map<string, number>();
  private readonly sids = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly listener: PgListener,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.resync();
    await this.listener.listen(
      CHANNEL,
      (payload) => this.apply(payload),
      () => this.resync(),
    );
    this.timer = setInterval(() => void this.resync().catch(() => undefined), RESYNC_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private apply(payload: string): void {
    try {
      const msg = JSON.parse(payload) as RevocationMessage;
      (msg.k === 's' ? this.sids : this.jtis).set(msg.id, msg.until);
    } catch {
      this.logger.warn('ignored a malformed revocation notification');
    }
  }

  /** Reloads every revocation that still matters from the database. */
  async resync(): Promise<void> {
    const [jtis, sids] = await Promise.all([liveRevokedAccessTokens(this.db), liveRevokedSessions(this.db)]);
    const now = Date.now();
    for (const map of [this.jtis, this.sids]) for (const [k, until] of map) if (until < now) map.delete(k);
    for (const r of jtis) this.jtis.set(r.id, r.until);
    for (const r of sids) this.sids.set(r.id, r.until);
  }

  isRevoked(jti: string, sid: string | undefined): boolean {
    return this.jtis.has(jti) || (sid !== undefined && this.sids.has(sid));
  }

  /** Revokes one access token; call inside the transaction that causes it. */
  async revokeAccessToken(tx: Queryable, jti: string, expiresAt: Date): Promise<void> {
    await insertRevokedAccessToken(tx, jti, expiresAt);
    await this.notify(tx, { k: 'j', id: jti, until: expiresAt.getTime() });
  }

  /**
   * Records and announces that a session (already marked revoked by the caller) ended: all its
   * access tokens stop, even after the session row itself is deleted.
   */
  async announceSessionRevoked(tx: Queryable, sid: string, accessExpiresAt: Date): Promise<void> {
    await insertRevokedSession(tx, sid, accessExpiresAt);
    await this.notify(tx, { k: 's', id: sid, until: accessExpiresAt.getTime() });
  }

  private async notify(tx: Queryable, msg: RevocationMessage): Promise<void> {
    // Also apply locally right away: the caller's own next request must see it even before commit+notify.
    (msg.k === 's' ? this.sids : this.jtis).set(msg.id, msg.until);
    await notify(tx, CHANNEL, JSON.stringify(msg));
  }
}
