import type { Migration, MigrationQueries } from './migration.js';

/**
 * The notifications outbox: messages written in the transaction of the state change that needs
 * them, delivered later by the worker (src/notifications/outbox.worker.ts) with retries. The
 * recipient and the template data (links, codes) are sealed with ENCRYPTION_KEY; `recipient_hash`
 * (SHA-256 of the channel and normalised address) lets an operator find a recipient's messages
 * without decrypting; `data_enc` is cleared once the message is sent. `locked_until` is the lease
 * of a `sending` row: past it (a crashed instance), another instance claims the row again.
 */
export class NotificationOutbox1764000004000 implements Migration {
  name = 'NotificationOutbox1764000004000';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      CREATE TABLE notification_outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        channel varchar(10) NOT NULL CHECK (channel IN ('email', 'sms')),
        recipient_enc text NOT NULL,
        recipient_hash bytea NOT NULL,
        template varchar(40) NOT NULL,
        data_enc text,
        status varchar(10) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        locked_by varchar(64),
        last_error varchar(500),
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX notification_outbox_due_idx ON notification_outbox (status, next_attempt_at)`,
    );
    await q.query(`CREATE INDEX notification_outbox_recipient_idx ON notification_outbox (recipient_hash)`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TABLE notification_outbox`);
  }
}
