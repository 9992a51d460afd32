import { Injectable, OnModuleInit } from '@nestjs/common';
import { Db, type HeardChannel } from '../database/db.js';
import { PgListener } from '../database/pg-listener.js';

/** The channel PostgreSQL announces account changes on (migration AccountChanges1764000009700). */
export const ACCOUNT_CHANGES: HeardChannel = 'auth_accounts';
/** How many accounts (user and tenant pairs) the cache holds; the oldest user goes first. */
export const ACCOUNTS_KEPT = 10_000;
/** Longest an answer is kept, whatever is heard: the bound for a change that announced nothing. */
export const ACCOUNT_MAX_AGE_MS = 60_000;

interface Kept<T> {
  value: T;
  at: number;
}

/**
 * Recent `GET /auth/me` answers in memory, per user and tenant, so the hot path of every front
 * end does not wait on the database. Kept correct by PostgreSQL, not by the code that writes:
 * triggers on app_user, membership and role announce every change on ACCOUNT_CHANGES, whoever
 * makes it, and an answer is dropped when its change is heard:
 * - on every instance, within the time a notification takes (the same path as revocations), by
 *   PgListener's connection;
 * - on the instance that made the change, before the write's promise resolves, by the pool's
 *   own connections (Db.hear), so a client that changes its profile and asks
 *   again sees the change.
 * While the LISTEN connection is down nothing is served from memory (notifications sent then are
 * lost); when it is back, everything is dropped. An answer read while a change was heard, or
 * while the connection was lost, is not kept (it may predate the change), and none is kept longer
 * than ACCOUNT_MAX_AGE_MS.
 */
@Injectable()
export class AccountCache<T = unknown> implements OnModuleInit {
  private readonly users = new Map<string, Map<string, Kept<T>>>();
  private size = 0;
  /** Bumped by every change heard: a read that overlapped one is not kept. */
  private changes = 0;

  constructor(
    private readonly db: Db,
    private readonly listener: PgListener,
  ) {}

  async onModuleInit(): Promise<void> {
    this.db.hear(ACCOUNT_CHANGES, (payload) => this.heard(payload));
    await this.listener.listen(
      ACCOUNT_CHANGES,
      (payload) => this.heard(payload),
      () => this.clear(),
    );
  }

  /** The kept answer of `userId` in `tenantId`, else `load`'s (kept unless a change overlapped it). */
  async get(userId: string, tenantId: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    if (!this.listener.connected) {
      this.clear();
      return load();
    }
    const kept = this.users.get(userId)?.get(tenantId);
    if (kept && Date.now() - kept.at < ACCOUNT_MAX_AGE_MS) return kept.value;
    const changes = this.changes;
    const value = await load();
    if (value !== undefined && changes === this.changes && this.listener.connected)
      this.keep(userId, tenantId, value);
    return value;
  }

  private keep(userId: string, tenantId: string, value: T): void {
    let tenants = this.users.get(userId);
    if (!tenants) {
      if (this.size >= ACCOUNTS_KEPT) this.dropOldestUser();
      tenants = new Map();
      this.users.set(userId, tenants);
    }
    if (!tenants.has(tenantId)) this.size++;
    tenants.set(tenantId, { value, at: Date.now() });
  }

  private dropOldestUser(): void {
    const oldest = this.users.keys().next();
    if (!oldest.done) this.drop(oldest.value);
  }

  private drop(userId: string): void {
    this.size -= this.users.get(userId)?.size ?? 0;
    this.users.delete(userId);
  }

  private clear(): void {
    this.changes++;
    this.users.clear();
    this.size = 0;
  }

  /** `u:<user id>` drops that user's answers; `r:<role id>` (or anything else) drops them all. */
  private heard(payload: string): void {
    if (payload.startsWith('u:')) {
      this.changes++;
      this.drop(payload.slice(2));
    } else {
      this.clear();
    }
  }
}
