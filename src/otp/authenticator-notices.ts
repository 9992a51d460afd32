import type { EntityManager } from 'typeorm';
import { firstRow } from '../database/sql.js';
import type { OutboxService } from '../notifications/outbox.service.js';
import { queryableOf } from '../database/typeorm-bridge.js';

/**
 * Locks the user's row (serialising set-ups, confirmations and removals of one user's methods)
 * and answers their email, where the notice of an added or removed authenticator goes.
 */
export async function lockUserForNotice(m: EntityManager, userId: string): Promise<string | null> {
  const row = await firstRow<{ email: string | null }>(
    m,
    `SELECT email FROM app_user WHERE id = $1 FOR UPDATE`,
    [userId],
  );
  return row?.email ?? null;
}

/**
 * The notice of API.md section 12 that an authenticator was added (confirmed) or removed, written
 * to the outbox in the transaction that changed it, so someone holding a stolen session cannot
 * add or drop a second factor unnoticed.
 */
export async function mailAuthenticatorNotice(
  outbox: OutboxService,
  m: EntityManager,
  email: string | null,
  template: 'authenticator-added' | 'authenticator-removed',
  method: string,
): Promise<void> {
  if (email)
    await outbox.enqueue(queryableOf(m), { channel: 'email', to: email, template, data: { method } });
}
