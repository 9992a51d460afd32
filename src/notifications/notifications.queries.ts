import type { Queryable } from '../database/db.js';
import type { OutboxMessage } from './outbox.types.js';

/** A message as written: already sealed (recipient and data), its id chosen by the caller. */
export interface NewOutboxRow {
  id: string;
  channel: OutboxMessage['channel'];
  recipientEnc: string;
  recipientHash: Buffer;
  template: string;
  dataEnc: string;
}

const INSERT = `INSERT INTO notification_outbox (id, channel, recipient_enc, recipient_hash, template, data_enc)`;

function insertParams(row: NewOutboxRow): unknown[] {
  return [row.id, row.channel, row.recipientEnc, row.recipientHash, row.template, row.dataEnc];
}

/** Writes one message (in the caller's transaction when `q` is one). */
export async function insertOutboxRow(q: Queryable, row: NewOutboxRow): Promise<void> {
  await q.exec(`${INSERT} VALUES ($1, $2, $3, $4, $5, $6)`, insertParams(row));
}

/** The same statement and round trip as insertOutboxRow, writing nothing. */
export async function rehearseOutboxRow(q: Queryable, row: NewOutboxRow): Promise<void> {
  await q.exec(`${INSERT} SELECT $1, $2, $3, $4, $5, $6 WHERE false`, insertParams(row));
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxRow {
  id: string;
  channel: OutboxMessage['channel'];
  recipient_enc: string;
  template: string;
  data_enc: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Date;
  locked_until: Date | null;
  locked_by: string | null;
  created_at: Date;
}

/**
 * Claims up to `limit` due messages of the given channels for `owner`, in one short statement:
 * rows that are `pending` and due, or `sending` with an expired lease (their instance crashed or
 * hung). `FOR UPDATE SKIP LOCKED` lets several instances claim at once without waiting on each
 * other or taking the same row; the claimed rows become `sending` with a lease until
 * `now() + leaseMs`, and their attempt counter goes up (a crash mid-send counts as an attempt, so
 * a message that crashes its sender cannot loop forever).
 */
export function claimDue(
  q: Queryable,
  input: { channels: OutboxMessage['channel'][]; limit: number; leaseMs: number; owner: string },
): Promise<OutboxRow[]> {
  if (!input.channels.length) return Promise.resolve([]);
  return q.rows<OutboxRow>(
    `UPDATE notification_outbox o
        SET status = 'sending', attempts = o.attempts + 1, locked_by = $3,
            locked_until = now() + make_interval(secs => $4::double precision / 1000)
       FROM (SELECT id FROM notification_outbox
              WHERE channel = ANY($1::varchar[])
                AND ((status = 'pending' AND next_attempt_at <= now())
                  OR (status = 'sending' AND locked_until < now()))
              ORDER BY next_attempt_at
              LIMIT $2
              FOR UPDATE SKIP LOCKED) due
      WHERE o.id = due.id
      RETURNING o.*`,
    [input.channels, input.limit, input.owner, input.leaseMs],
  );
}

/** Marks a claimed message sent and forgets its data (links and codes); only its owner may. */
export async function markSent(q: Queryable, id: string, owner: string): Promise<boolean> {
  const done = await q.rows<{ id: string }>(
    `UPDATE notification_outbox
        SET status = 'sent', sent_at = now(), data_enc = NULL, locked_until = NULL, locked_by = NULL,
            last_error = NULL
      WHERE id = $1 AND status = 'sending' AND locked_by = $2 RETURNING id`,
    [id, owner],
  );
  return done.length === 1;
}

/** Puts a claimed message back to `pending` for a later attempt. */
export async function markRetry(
  q: Queryable,
  id: string,
  owner: string,
  delayMs: number,
  error: string,
): Promise<boolean> {
  const done = await q.rows<{ id: string }>(
    `UPDATE notification_outbox
        SET status = 'pending', next_attempt_at = now() + make_interval(secs => $3::double precision / 1000),
            locked_until = NULL, locked_by = NULL, last_error = $4
      WHERE id = $1 AND status = 'sending' AND locked_by = $2 RETURNING id`,
    [id, owner, delayMs, error.slice(0, 500)],
  );
  return done.length === 1;
}

/** Gives a claimed message up for good. */
export async function markFailed(q: Queryable, id: string, owner: string, error: string): Promise<boolean> {
  const done = await q.rows<{ id: string }>(
    `UPDATE notification_outbox
        SET status = 'failed', locked_until = NULL, locked_by = NULL, last_error = $3
      WHERE id = $1 AND status = 'sending' AND locked_by = $2 RETURNING id`,
    [id, owner, error.slice(0, 500)],
  );
  return done.length === 1;
}

/** Messages waiting for a channel (e.g. mail while SMTP_URL is unset). */
export async function countWaiting(q: Queryable, channel: OutboxMessage['channel']): Promise<number> {
  const row = await q.row<{ n: string }>(
    `SELECT count(*) AS n FROM notification_outbox WHERE channel = $1 AND status IN ('pending', 'sending')`,
    [channel],
  );
  return Number(row?.n ?? 0);
}

/** Drops sent messages older than `sentAfter` and failed ones older than `failedAfter`; answers how many. */
export function purgeOutbox(q: Queryable, sentAfter: string, failedAfter: string): Promise<number> {
  return q.exec(
    `DELETE FROM notification_outbox
      WHERE (status = 'sent' AND sent_at < now() - $1::interval)
         OR (status = 'failed' AND created_at < now() - $2::interval)`,
    [sentAfter, failedAfter],
  );
}
