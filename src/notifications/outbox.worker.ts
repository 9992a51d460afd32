import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Interval } from '@nestjs/schedule';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { SecretBox, sealedAt } from '../common/crypto/secret-box.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Db } from '../database/db.js';
import {
  claimDue,
  countWaiting,
  markFailed,
  markRetry,
  markSent,
  OutboxRow,
  purgeOutbox,
} from './notifications.queries.js';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from './outbox-retry.js';
import { OUTBOX_ENQUEUED } from './outbox.service.js';
import type { OutboxMessage } from './outbox.types.js';
import { DeliveryError, describeError } from './senders/delivery-error.js';
import { MailSender } from './senders/mail.sender.js';
import { SmsSender } from './senders/sms.sender.js';
import { renderTemplate, TemplateError } from './templates.js';

/** Messages claimed per round (sent concurrently). */
const BATCH_SIZE = 10;
/**
 * How long a claimed message belongs to its instance. Far longer than one delivery can take (SMTP
 * and SMS timeouts are under a minute), so a live instance never loses a row to another one;
 * past it, a crashed instance's rows are delivered by the others.
 */
export const LEASE_MS = 5 * 60_000;
/** Delivered messages are kept this long (without their data) for investigation, failed ones longer. */
const PURGE_SENT_AFTER = '7 days';
const PURGE_FAILED_AFTER = '30 days';

/**
 * Delivers the outbox: every instance polls (OUTBOX_POLL_INTERVAL_MS, and right after a message is
 * enqueued here), claims due rows with FOR UPDATE SKIP LOCKED, sends them, and marks them `sent`,
 * or `pending` again with exponential backoff, or `failed` after OUTBOX_MAX_ATTEMPTS. Delivery is
 * at least once: a message is sent twice only if an instance dies after the SMTP server accepted
 * it and before the row was marked sent.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Outbox');
  /** Who holds a lease: this process, told apart from other instances and earlier runs. */
  readonly owner = `${hostname().slice(0, 30)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private mail: MailSender | undefined;
  private sms: SmsSender | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly kickTimers = new Set<NodeJS.Timeout>();
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The channels this instance can deliver; messages of other channels wait in the outbox. */
  get channels(): OutboxMessage['channel'][] {
    return [...(this.mail ? (['email'] as const) : []), ...(this.sms ? (['sms'] as const) : [])];
  }

  onApplicationBootstrap(): void {
    if (this.config.smtpUrl) this.mail = new MailSender(this.config.smtpUrl, this.config.mailFrom);
    if (this.config.smsGatewayUrl) this.sms = new SmsSender(this.config.smsGatewayUrl);
    void this.reportWaiting();
    this.schedulePoll(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    for (const t of this.kickTimers) clearTimeout(t);
    this.kickTimers.clear();
    await this.running;
    this.mail?.close();
  }

  /** A message was enqueued on this instance: deliver soon, once the caller's transaction committed. */
  @OnEvent(OUTBOX_ENQUEUED)
  kick(): void {
    if (this.stopped || !this.channels.length || this.kickTimers.size) return;
    // Two looks: one right after the usual commit, one later for a slow transaction; the regular
    // poll catches anything else.
    for (const delay of [50, 750]) {
      const timer = setTimeout(() => {
        this.kickTimers.delete(timer);
        void this.drain();
      }, delay);
      timer.unref();
      this.kickTimers.add(timer);
    }
  }

  private schedulePoll(delay = this.config.outboxPollIntervalMs): void {
    if (this.stopped) return;
    this.pollTimer = setTimeout(() => {
      void this.drain().finally(() => this.schedulePoll());
    }, delay);
    this.pollTimer.unref();
  }

  /** Delivers rounds until nothing is due; concurrent calls share the round in progress. */
  drain(): Promise<void> {
    if (this.stopped || !this.channels.length) return Promise.resolve();
    this.running ??= (async () => {
      try {
        while (!this.stopped && (await this.deliverRound()) === BATCH_SIZE) {
          /* a full batch: more may be due */
        }
      } catch (err) {
        // The database is unreachable or shutting down: the next poll tries again.
        this.logger.warn(`outbox round failed: ${(err as Error).message}`);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Claims one batch and delivers it; answers how many messages were claimed. */
  async deliverRound(): Promise<number> {
    const claimed = await claimDue(this.db, {
      channels: this.channels,
      limit: BATCH_SIZE,
      leaseMs: LEASE_MS,
      owner: this.owner,
    });
    await Promise.all(claimed.map((row) => this.deliver(row)));
    return claimed.length;
  }

  private async deliver(row: OutboxRow): Promise<void> {
    let recipient = '';
    try {
      // A sealed value that does not open here (moved from another row, or sealed under a key no
      // longer configured) can never be sent: the message fails for good, unsent.
      recipient = this.box.decrypt(
        row.recipient_enc,
        sealedAt('notification_outbox', 'recipient_enc', row.id),
      );
      const data = row.data_enc ? this.openData(row) : {};
      const rendered = renderTemplate(row.template, data);
      if (row.channel === 'email') await this.mail!.send(recipient, rendered);
      else await this.sms!.send(recipient, rendered.sms);
    } catch (err) {
      const permanent =
        err instanceof TemplateError || (err instanceof DeliveryError && err.permanent) || !recipient;
      const error = err instanceof DeliveryError ? err.message : describeError(err, recipient);
      if (permanent || row.attempts >= this.config.outboxMaxAttempts) {
        await markFailed(this.db, row.id, this.owner, error);
        this.logger.error(
          `outbox message ${row.id} (${row.channel}, ${row.template}) failed for good after ${row.attempts} attempt(s): ${error}`,
        );
      } else {
        const delay = retryDelayMs(row.attempts, this.config.outboxRetryBaseMs, MAX_RETRY_DELAY_MS);
        await markRetry(this.db, row.id, this.owner, delay, error);
        this.logger.warn(
          `outbox message ${row.id} (${row.channel}, ${row.template}) attempt ${row.attempts} failed, retry in ${Math.round(delay / 1000)} s: ${error}`,
        );
      }
      return;
    }
    if (!(await markSent(this.db, row.id, this.owner))) {
      this.logger.warn(`outbox message ${row.id} was sent after its lease ended`);
    }
  }

  private openData(row: OutboxRow): Record<string, string> {
    const plain = this.box.decryptOrNull(row.data_enc!, sealedAt('notification_outbox', 'data_enc', row.id));
    if (plain === null) throw new TemplateError('the message data cannot be decrypted here');
    return JSON.parse(plain) as Record<string, string>;
  }

  /** Says at start-up that messages wait for a channel nobody configured (counts only, no content). */
  private async reportWaiting(): Promise<void> {
    try {
      const missing: [OutboxMessage['channel'], string][] = [];
      if (!this.mail) missing.push(['email', 'SMTP_URL']);
      if (!this.sms) missing.push(['sms', 'SMS_GATEWAY_URL']);
      for (const [channel, variable] of missing) {
        const n = await countWaiting(this.db, channel);
        if (n) this.logger.warn(`${n} ${channel} message(s) wait in the outbox: ${variable} is not set`);
      }
    } catch {
      /* informative only */
    }
  }

  /** Drops delivered messages after a week and failed ones after a month. */
  @Interval('notification-outbox-purge', 60 * 60_000)
  async purge(): Promise<number> {
    try {
      return await purgeOutbox(this.db, PURGE_SENT_AFTER, PURGE_FAILED_AFTER);
    } catch (err) {
      this.logger.warn(`outbox purge failed: ${(err as Error).message}`);
      return 0;
    }
  }
}
