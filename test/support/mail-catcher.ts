import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export interface CaughtMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/**
 * A real SMTP server on loopback that keeps what it receives, so tests read the mails the
 * service really sent through nodemailer. `stop()` and `start()` again on the same port simulate
 * an outage.
 */
export class MailCatcher {
  readonly mails: CaughtMail[] = [];
  private server: SMTPServer | undefined;
  private waiters: { match: (m: CaughtMail) => boolean; resolve: (m: CaughtMail) => void }[] = [];
  port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const mail: CaughtMail = {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
            };
            this.mails.push(mail);
            for (const w of [...this.waiters]) {
              if (w.match(mail)) {
                this.waiters.splice(this.waiters.indexOf(w), 1);
                w.resolve(mail);
              }
            }
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Mails received so far for `to`. */
  for(to: string): CaughtMail[] {
    return this.mails.filter((m) => m.to.some((a) => a.toLowerCase() === to.toLowerCase()));
  }

  /** Resolves with the first mail (already received or arriving within `timeoutMs`) that matches. */
  waitFor(match: (m: CaughtMail) => boolean, timeoutMs = 10_000): Promise<CaughtMail> {
    const existing = this.mails.find(match);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(new Error(`no matching mail within ${timeoutMs} ms (received ${this.mails.length})`));
        }
      }, timeoutMs).unref();
    });
  }

  /** The value of the `token` query parameter of the first link in a mail. */
  static linkToken(mail: CaughtMail): string | undefined {
    const m = /[?&]token=([A-Za-z0-9_-]+)/.exec(mail.text) ?? /[?&]token=([A-Za-z0-9_-]+)/.exec(mail.html);
    return m?.[1];
  }

  /** The first 6-digit code in a mail. */
  static code(mail: CaughtMail): string | undefined {
    return /\b(\d{6})\b/.exec(mail.text)?.[1];
  }
}
