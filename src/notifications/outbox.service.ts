import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Queryable } from '../database/db.js';
import { randomUUID } from 'node:crypto';
import { SecretBox, sealedAt } from '../common/crypto/secret-box.js';
import { sha256 } from '../common/crypto/tokens.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { insertOutboxRow, NewOutboxRow, rehearseOutboxRow } from './notifications.queries.js';
import type { OutboxMessage } from './outbox.types.js';

/**
 * Emitted (in-process) after a message was enqueued; the worker then looks for due messages a
 * moment later, once the caller's transaction has committed (a rolled-back one leaves nothing).
 */
export const OUTBOX_ENQUEUED = 'notifications.outbox.enqueued';

/** The normalised form of a recipient: trimmed, emails lower-cased (phone numbers as given). */
export function normaliseRecipient(channel: OutboxMessage['channel'], to: string): string {
  const trimmed = to.trim();
  return channel === 'email' ? trimmed.toLowerCase() : trimmed;
}

/**
 * Writes messages into the outbox inside the caller's transaction: the message exists exactly
 * when the state change that needs it committed. Delivery is the worker's job (OutboxWorker).
 * Recipient and data are sealed with ENCRYPTION_KEY (links and codes are secrets, addresses are
 * personal data).
 */
@Injectable()
export class OutboxService {
  private readonly logger = new Logger('Outbox');

  constructor(
    private readonly box: SecretBox,
    private readonly events: EventEmitter2,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The row's values; its id is chosen here, as the sealed fields are bound to their row. */
  private sealed(message: OutboxMessage): NewOutboxRow {
    const id = randomUUID();
    const recipient = normaliseRecipient(message.channel, message.to);
    return {
      id,
      channel: message.channel,
      recipientEnc: this.box.encrypt(recipient, sealedAt('notification_outbox', 'recipient_enc', id)),
      recipientHash: sha256(`${message.channel}:${recipient}`),
      template: message.template,
      dataEnc: this.box.encrypt(
        JSON.stringify(message.data ?? {}),
        sealedAt('notification_outbox', 'data_enc', id),
      ),
    };
  }

  /** Adds a message to the outbox in the caller's transaction `tx`. */
  async enqueue(tx: Queryable, message: OutboxMessage): Promise<void> {
    await insertOutboxRow(tx, this.sealed(message));
    this.reportUndeliverable(message);
    this.events.emit(OUTBOX_ENQUEUED);
  }

  /**
   * Does the work of `enqueue` (sealing, one INSERT round trip) without writing anything. For
   * answers that must not reveal, even by their timing, whether a message was sent (e.g. forgot
   * password for an unknown user).
   */
  async rehearse(tx: Queryable, message: OutboxMessage): Promise<void> {
    await rehearseOutboxRow(tx, this.sealed(message));
  }

  /**
   * Without a transport for its channel a message waits in the outbox (delivered once the
   * transport is configured and the service restarted). In development the message is logged in
   * full so a developer can follow the link; production logs never show recipients or data.
   */
  private reportUndeliverable(message: OutboxMessage): void {
    const variable =
      message.channel === 'email'
        ? this.config.smtpUrl
          ? undefined
          : 'SMTP_URL'
        : this.config.smsGatewayUrl
          ? undefined
          : 'SMS_GATEWAY_URL';
    if (!variable) return;
    if (this.config.production) {
      this.logger.warn(
        `a ${message.channel} message (${message.template}) waits in the outbox: ${variable} is not set`,
      );
    } else {
      this.logger.log(
        `${variable} is not set: ${message.channel} to ${message.to} (${message.template}) waits in the outbox; ` +
          `data (development only): ${JSON.stringify(message.data)}`,
      );
    }
  }
}
