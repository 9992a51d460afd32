import type { Transporter } from 'nodemailer';
import { lazy } from '../../common/lazy.js';
import type { RenderedMessage } from '../templates.js';
import { DeliveryError, describeError } from './delivery-error.js';

/** Sends mail over SMTP (SMTP_URL, e.g. `smtp://user:pass@host:587`, `smtps://...:465`) with nodemailer. */
export class MailSender {
  // nodemailer is loaded with the first message, not at start-up.
  private readonly transport: () => Promise<Transporter>;
  private used = false;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    // One connection per message (no pool): auth mail is low volume, and no idle connection
    // outlives a message. The timeouts keep one delivery well inside the worker's lease.
    this.transport = lazy(async () =>
      (await import('nodemailer')).default.createTransport({
        url: smtpUrl,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
        dnsTimeout: 10_000,
      }),
    );
  }

  async send(to: string, message: RenderedMessage): Promise<void> {
    try {
      this.used = true;
      const transport = await this.transport();
      await transport.sendMail({
        from: this.from,
        // An address object, not a string: nodemailer then never parses it as a list of recipients.
        to: { name: '', address: to },
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
    } catch (err) {
      const e = err as { responseCode?: number; code?: string };
      // A 5xx answer to the envelope (unknown mailbox, rejected address) will not change on retry.
      const permanent = e.code === 'EENVELOPE' && typeof e.responseCode === 'number' && e.responseCode >= 500;
      throw new DeliveryError(describeError(err, to), permanent);
    }
  }

  close(): void {
    // Nothing to close when no message was sent; otherwise the transport closes once loaded.
    if (this.used) void this.transport().then((t) => t.close(), () => undefined);
  }
}
