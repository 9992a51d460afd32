import type { Queryable } from '../database/db.js';
import type { OutboxService } from '../notifications/outbox.service.js';

/**
 * The notice of API.md section 12 that an authenticator was added (confirmed) or removed, written
 * to the outbox in the transaction that changed it, so someone holding a stolen session cannot
 * add or drop a second factor unnoticed.
 */
export async function mailAuthenticatorNotice(
  outbox: OutboxService,
  tx: Queryable,
  email: string | null,
  template: 'authenticator-added' | 'authenticator-removed',
  method: string,
): Promise<void> {
  if (email) await outbox.enqueue(tx, { channel: 'email', to: email, template, data: { method } });
}
