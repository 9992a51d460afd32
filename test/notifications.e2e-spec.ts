import { createServer, IncomingMessage, Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEncryptionKey } from '../src/config/config.js';
import { Db } from '../src/database/db.js';
import { claimDue } from '../src/notifications/notifications.queries.js';
import { OutboxService } from '../src/notifications/outbox.service.js';
import { OutboxWorker } from '../src/notifications/outbox.worker.js';
import type { OutboxMessage } from '../src/notifications/outbox.types.js';
import { TEMPLATE_NAMES } from '../src/notifications/templates.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { seedTenant, unique } from './support/fixtures.js';
import { MailCatcher } from './support/mail-catcher.js';
import { until } from './support/wait.js';

const MAIL_FROM = 'auth@example.test';
const FAST = { OUTBOX_POLL_INTERVAL_MS: '50', OUTBOX_RETRY_BASE_MS: '100', RATE_LIMIT_PER_ADDRESS: '100000' };

/** Writes messages the way a feature does: inside a transaction of its own. */
async function enqueue(t: TestApp, ...messages: OutboxMessage[]): Promise<void> {
  const outbox = t.app.get(OutboxService);
  await t.app.get(Db).transaction(async (tx) => {
    for (const message of messages) await outbox.enqueue(tx, message);
  });
}

interface Row {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  data_enc: string | null;
  recipient_enc: string;
  sent_at: Date | null;
}

const rowsFor = (t: TestApp, channel: string, to: string) =>
  sql<Row>(t, `SELECT * FROM notification_outbox WHERE recipient_hash = sha256(convert_to($1, 'UTF8'))`, [
    `${channel}:${to.toLowerCase()}`,
  ]);

const email = () => `${unique('rcpt')}@example.com`;

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('outbox delivery through a real SMTP server', () => {
  let t: TestApp;
  let catcher: MailCatcher;

  beforeAll(async () => {
    catcher = new MailCatcher();
    await catcher.start();
    t = await createTestApp({ SMTP_URL: catcher.url, MAIL_FROM, ...FAST });
  });
  afterAll(async () => {
    await t?.close();
    await catcher?.stop();
  });

  it('delivers every template as a mail with text and HTML; secrets are sealed and dropped once sent', async () => {
    const to = email();
    const link = `https://app.example.com/reset?token=${'s'.repeat(43)}`;
    await enqueue(
      t,
      ...TEMPLATE_NAMES.map((template) => ({
        channel: 'email' as const,
        to,
        template,
        data: { link, code: '482913', appName: 'Acme' },
      })),
    );
    const sealed = await rowsFor(t, 'email', to);
    expect(sealed).toHaveLength(TEMPLATE_NAMES.length);
    expect(JSON.stringify(sealed)).not.toContain(to);
    expect(JSON.stringify(sealed)).not.toContain('s'.repeat(43));
    expect(JSON.stringify(sealed)).not.toContain('482913');

    await until(async () => catcher.for(to).length === TEMPLATE_NAMES.length);
    for (const mail of catcher.for(to)) {
      expect(mail.from).toBe(MAIL_FROM);
      expect(mail.subject).toContain('Acme');
      expect(mail.text).toMatch(/\S/);
      expect(mail.html).toContain('<p>');
    }
    const sent = await until(async () => {
      const rows = await rowsFor(t, 'email', to);
      return rows.every((r) => r.status === 'sent') && rows;
    });
    for (const row of sent) {
      expect(row).toMatchObject({ status: 'sent', attempts: 1, data_enc: null, last_error: null });
      expect(row.sent_at).toBeInstanceOf(Date);
    }
  });

  it('a rolled-back transaction leaves no message', async () => {
    const to = email();
    await expect(
      t.app.get(Db).transaction(async (tx) => {
        await t.app
          .get(OutboxService)
          .enqueue(tx, { channel: 'email', to, template: 'password-changed', data: {} });
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await rowsFor(t, 'email', to)).toEqual([]);
    // A later message to someone else goes out; the rolled-back one never does.
    const other = email();
    await enqueue(t, { channel: 'email', to: other, template: 'password-changed', data: {} });
    await catcher.waitFor((m) => m.to.includes(other));
    expect(catcher.for(to)).toEqual([]);
  });

  it('SMTP down: the reset mail is retried with backoff and arrives once SMTP is back on the same port', async () => {
    const s = await seedTenant(t, { client: { resetPasswordUrl: 'https://app.example.com/reset' } });
    const port = catcher.port;
    await catcher.stop();
    try {
      const res = await t.http
        .post('/auth/forget-password')
        .send({ username: s.email, client_id: s.client.clientId, client_secret: s.clientSecret });
      expect(res.status).toBe(204); // an SMTP outage never fails the request

      const failed = await until(async () => {
        const [row] = await rowsFor(t, 'email', s.email);
        return row && row.attempts >= 2 && row.status === 'pending' && row.last_error ? row : undefined;
      });
      expect(failed.last_error).toMatch(/ECONNREFUSED|ESOCKET|connect/i);
      expect(failed.last_error).not.toContain(s.email);
      expect(failed.last_error).not.toContain('token');
    } finally {
      await catcher.start(port);
    }
    expect(catcher.port).toBe(port);
    const mail = await catcher.waitFor((m) => m.to.includes(s.email.toLowerCase()));
    const token = MailCatcher.linkToken(mail)!;
    expect(
      (
        await t.http.patch('/auth/reset-password').send({
          token,
          password: 'Lighthouse-Amber-Juniper-5',
          client_id: s.client.clientId,
          client_secret: s.clientSecret,
        })
      ).status,
    ).toBe(204);
    const [row] = await until(async () => {
      const rows = await rowsFor(t, 'email', s.email);
      return rows.length === 2 && rows.every((r) => r.status === 'sent') && rows;
    });
    expect(row).toBeDefined();
    expect(catcher.for(s.email).filter((m) => /reset your password/i.test(m.subject))).toHaveLength(1);
  });

  it("takes over a crashed instance's message once its lease expired, and leaves live leases alone", async () => {
    const crashed = email();
    const leased = email();
    const outbox = t.app.get(OutboxService);
    await t.app.get(Db).transaction(async (tx) => {
      await outbox.enqueue(tx, { channel: 'email', to: crashed, template: 'password-changed', data: {} });
      await outbox.enqueue(tx, { channel: 'email', to: leased, template: 'password-changed', data: {} });
      // Before commit, so no worker ever sees them pending: one lease ran out, one is still live.
      await tx.exec(
        `UPDATE notification_outbox SET status = 'sending', attempts = 1, locked_by = 'dead-instance',
                locked_until = now() - interval '1 second'
          WHERE recipient_hash = sha256(convert_to($1, 'UTF8'))`,
        [`email:${crashed}`],
      );
      await tx.exec(
        `UPDATE notification_outbox SET status = 'sending', attempts = 1, locked_by = 'busy-instance',
                locked_until = now() + interval '1 hour'
          WHERE recipient_hash = sha256(convert_to($1, 'UTF8'))`,
        [`email:${leased}`],
      );
    });
    await catcher.waitFor((m) => m.to.includes(crashed));
    const [taken] = await until(async () => {
      const rows = await rowsFor(t, 'email', crashed);
      return rows[0]?.status === 'sent' && rows;
    });
    expect(taken!.attempts).toBe(2);

    // A message enqueued after it is delivered too, and the live lease is still untouched.
    const later = email();
    await enqueue(t, { channel: 'email', to: later, template: 'password-changed', data: {} });
    await catcher.waitFor((m) => m.to.includes(later));
    const [live] = await rowsFor(t, 'email', leased);
    expect(live).toMatchObject({ status: 'sending', attempts: 1 });
    expect(catcher.for(leased)).toEqual([]);
  });

  it('a message that cannot be rendered fails at once, without retries', async () => {
    const to = email();
    await enqueue(t, { channel: 'email', to, template: 'reset-password', data: {} });
    const [row] = await until(async () => {
      const rows = await rowsFor(t, 'email', to);
      return rows[0]?.status === 'failed' && rows;
    });
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.last_error).toContain('data.link');
    expect(catcher.for(to)).toEqual([]);
  });
});

describe('two instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  let catcher: MailCatcher;

  beforeAll(async () => {
    catcher = new MailCatcher();
    await catcher.start();
    const env = { SMTP_URL: catcher.url, MAIL_FROM, ENCRYPTION_KEY: generateEncryptionKey(), ...FAST };
    a = await createTestApp(env);
    b = await createTestApp(env, { databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await catcher?.stop();
  });

  it('deliver every mail exactly once, whichever instance wrote it', async () => {
    const s = await seedTenant(a);
    const users = await Promise.all(
      Array.from({ length: 24 }, async () => {
        const address = email();
        await s.provisioning.users.createUser({
          email: address,
          username: address,
          password: 'Violet-Harbour-Lantern-42',
          tenantId: s.tenant.id,
        });
        return address;
      }),
    );
    // Half the requests reach each instance, concurrently.
    await Promise.all(
      users.map(async (username, i) => {
        const res = await (i % 2 ? a : b).http
          .post('/auth/forget-password')
          .send({ username, client_id: s.client.clientId, client_secret: s.clientSecret });
        expect(res.status).toBe(204);
      }),
    );
    await until(async () => users.every((u) => catcher.for(u).length >= 1));
    await until(async () => {
      const [row] = await sql<{ n: string }>(
        a,
        `SELECT count(*) AS n FROM notification_outbox WHERE status <> 'sent'`,
      );
      return row!.n === '0';
    });
    // Every row sent after exactly one claim: a second send would need a second claim (a claim
    // counts an attempt), so no duplicate can still be on its way.
    const sent = await sql<{ attempts: number }>(a, `SELECT attempts FROM notification_outbox`);
    expect(sent).toHaveLength(users.length);
    expect(sent.every((r) => r.attempts === 1)).toBe(true);
    for (const u of users) expect(catcher.for(u), u).toHaveLength(1);
  });

  it('claims are disjoint: concurrent claimers never get the same row, and leases expire', async () => {
    // SMS rows: neither instance has a gateway, so only the claims below touch them.
    const phones = Array.from({ length: 20 }, (_, i) => `+1555000${String(i).padStart(4, '0')}`);
    await enqueue(
      a,
      ...phones.map((to) => ({
        channel: 'sms' as const,
        to,
        template: 'otp-code' as const,
        data: { code: '111111' },
      })),
    );
    const claim = (t: TestApp, owner: string) =>
      claimDue(t.app.get(Db), { channels: ['sms'], limit: 15, leaseMs: 60_000, owner });
    const [first, second] = await Promise.all([claim(a, 'claimer-a'), claim(b, 'claimer-b')]);
    const ids = [...first!, ...second!].map((r) => r.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect([...first!, ...second!].every((r) => r.status === 'sending' && r.attempts === 1)).toBe(true);
    expect(await claim(a, 'claimer-c')).toEqual([]);

    await sql(
      a,
      `UPDATE notification_outbox SET locked_until = now() - interval '1 second' WHERE channel = 'sms'`,
    );
    const again = await claim(b, 'claimer-d');
    expect(again).toHaveLength(15);
    expect(again.every((r) => r.locked_by === 'claimer-d' && r.attempts === 2)).toBe(true);
  });
});

describe('without SMTP_URL', () => {
  let first: TestApp;
  let catcher: MailCatcher;
  const key = generateEncryptionKey();

  beforeAll(async () => {
    catcher = new MailCatcher();
    await catcher.start();
    first = await createTestApp({ ENCRYPTION_KEY: key, ...FAST });
  });
  afterAll(async () => {
    await first?.close();
    await catcher?.stop();
  });

  it('mail waits in the outbox and goes out once an instance with SMTP starts', async () => {
    const s = await seedTenant(first);
    const res = await first.http
      .post('/auth/forget-password')
      .send({ username: s.email, client_id: s.client.clientId, client_secret: s.clientSecret });
    expect(res.status).toBe(204);
    // A delivery round run here, not ten poll intervals waited for: without SMTP the instance
    // has no channel to deliver, and its round claims nothing.
    const worker = first.app.get(OutboxWorker);
    expect(worker.channels).toEqual([]);
    expect(await worker.deliverRound()).toBe(0);
    const [waiting] = await rowsFor(first, 'email', s.email);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 0 });

    const restarted = await createTestApp(
      { ENCRYPTION_KEY: key, SMTP_URL: catcher.url, MAIL_FROM, ...FAST },
      { databaseUrl: first.databaseUrl },
    );
    try {
      const mail = await catcher.waitFor((m) => m.to.includes(s.email.toLowerCase()));
      expect(MailCatcher.linkToken(mail)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await until(async () => (await rowsFor(first, 'email', s.email))[0]?.status === 'sent');
    } finally {
      await restarted.close();
    }
  });
});

describe('SMS gateway and giving up', () => {
  let t: TestApp;
  let gateway: Server;
  const received: { body: { to: string; text: string }; authorization?: string; contentType?: string }[] = [];
  /** Status codes the gateway answers, in order; 200 once they run out. */
  const script: number[] = [];

  beforeAll(async () => {
    gateway = createServer((req: IncomingMessage, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        received.push({
          body: JSON.parse(raw) as { to: string; text: string },
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
        });
        res.statusCode = script.shift() ?? 200;
        res.end('{"echo":"never stored"}');
      });
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', () => r()));
    const { port } = gateway.address() as { port: number };
    t = await createTestApp({
      SMS_GATEWAY_URL: `http://sms-user:s3cret@127.0.0.1:${port}/send`,
      SMTP_URL: `smtp://127.0.0.1:${await closedPort()}`,
      OUTBOX_MAX_ATTEMPTS: '3',
      ...FAST,
      OUTBOX_RETRY_BASE_MS: '50',
    });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((r) => gateway.close(() => r()));
  });

  it('POSTs {to, text} as JSON with Basic auth from the URL; a 5xx is retried', async () => {
    const to = `+1555${Date.now() % 10_000_000}`;
    script.push(503);
    await enqueue(t, { channel: 'sms', to, template: 'otp-code', data: { code: '424242' } });
    const [row] = await until(async () => {
      const rows = await rowsFor(t, 'sms', to);
      return rows[0]?.status === 'sent' && rows;
    });
    expect(row!.attempts).toBe(2);
    const calls = received.filter((r) => r.body.to === to);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.body.text).toContain('424242');
    expect(calls[1]!.contentType).toContain('application/json');
    expect(calls[1]!.authorization).toBe(`Basic ${Buffer.from('sms-user:s3cret').toString('base64')}`);
  });

  it('a 4xx from the gateway fails the message for good', async () => {
    const to = `+1666${Date.now() % 10_000_000}`;
    script.push(400);
    await enqueue(t, { channel: 'sms', to, template: 'otp-code', data: { code: '515151' } });
    const [row] = await until(async () => {
      const rows = await rowsFor(t, 'sms', to);
      return rows[0]?.status === 'failed' && rows;
    });
    expect(row).toMatchObject({ attempts: 1, last_error: 'SMS gateway answered HTTP 400' });
  });

  it('gives a mail up after OUTBOX_MAX_ATTEMPTS, recording the error without secrets', async () => {
    const to = email();
    await enqueue(t, { channel: 'email', to, template: 'otp-code', data: { code: '939393' } });
    const [row] = await until(async () => {
      const rows = await rowsFor(t, 'email', to);
      return rows[0]?.status === 'failed' && rows;
    });
    expect(row!.attempts).toBe(3);
    expect(row!.last_error).toMatch(/ECONNREFUSED|ESOCKET|connect/i);
    expect(row!.last_error).not.toContain(to);
    expect(row!.last_error).not.toContain('939393');
  });
});
