import { Module } from '@nestjs/common';
import { OutboxService } from './outbox.service.js';
import { OutboxWorker } from './outbox.worker.js';
import { RecipientLimiter } from './recipient-limiter.js';

/**
 * Reliable mail/SMS delivery: features call OutboxService.enqueue(tx, message) inside their
 * transaction; OutboxWorker delivers pending rows over SMTP (SMTP_URL) or the SMS gateway
 * (SMS_GATEWAY_URL) with retries and backoff. RecipientLimiter caps the messages one
 * account can be sent (RATE_LIMIT_PER_ADDRESS an hour), whichever of its names was typed.
 */
@Module({
  providers: [OutboxService, OutboxWorker, RecipientLimiter],
  exports: [OutboxService, RecipientLimiter],
})
export class NotificationsModule {}
