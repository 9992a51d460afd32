import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { randomDigits, sha256 } from '../common/crypto/tokens.js';
import { firstRow, rows } from '../database/sql.js';
import type { User } from '../identity/identity.types.js';
import { OutboxService } from '../notifications/outbox.service.js';
import type { OtpChannel, OtpPurpose } from './entities/otp-code.entity.js';

/** OTPs live 5 minutes (API.md section 0) and 5 wrong tries burn one (section 4). */
export const OTP_TTL_S = 300;
export const OTP_MAX_FAILURES = 5;

export interface LiveOtp {
  id: string;
  userId: string;
  /** auth_client.id */
  clientId: string;
  pendingCodeId: string | null;
  channel: OtpChannel;
}

interface OtpRow {
  id: string;
  user_id: string;
  client_id: string;
  pending_code_id: string | null;
  channel: OtpChannel;
  code_hash: Buffer;
}

function codeHash(id: string, code: string): Buffer {
  return sha256(`otp:${id}:${code}`);
}

function toLive(row: OtpRow): LiveOtp {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    pendingCodeId: row.pending_code_id,
    channel: row.channel,
  };
}

/** Where a code for `user` goes: SMS when asked for and the user has a phone, else email, else SMS. */
export function otpDestination(
  user: Pick<User, 'email' | 'phone'>,
  channel: OtpChannel = 'email',
): { channel: OtpChannel; to: string } | null {
  if (channel === 'sms' && user.phone) return { channel: 'sms', to: user.phone };
  if (user.email) return { channel: 'email', to: user.email };
  if (user.phone) return { channel: 'sms', to: user.phone };
  return null;
}

/**
 * Emailed or texted 6-digit codes: drawn from the CSPRNG, stored as SHA-256 only, delivered
 * through the notifications outbox in the same transaction (a crash never leaves a code that was
 * not sent, or a mail for a code that does not exist). A new code of a purpose replaces the
 * user's older live one.
 */
@Injectable()
export class OtpCodesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  async send(
    input: {
      user: User;
      /** auth_client.id */
      clientId: string;
      purpose: OtpPurpose;
      pendingCodeId?: string | null;
      channel?: OtpChannel;
      /** Named in the message ("Your sign-in code for <appName>"): the client's name. */
      appName?: string;
    },
    manager?: EntityManager,
  ): Promise<{ id: string; channel: OtpChannel } | null> {
    const destination = otpDestination(input.user, input.channel);
    if (!destination) return null;
    const id = randomUUID();
    const code = randomDigits(6);
    const work = async (m: EntityManager) => {
      await m.query(
        `UPDATE otp_code SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
        [input.user.id, input.purpose],
      );
      await m.query(
        `INSERT INTO otp_code (id, user_id, client_id, pending_code_id, purpose, channel, code_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))`,
        [
          id,
          input.user.id,
          input.clientId,
          input.pendingCodeId ?? null,
          input.purpose,
          destination.channel,
          codeHash(id, code),
          OTP_TTL_S,
        ],
      );
      await this.outbox.enqueue(m, {
        channel: destination.channel,
        to: destination.to,
        template: 'otp-code',
        data: {
          code,
          expiresInMinutes: String(OTP_TTL_S / 60),
          ...(input.appName ? { appName: input.appName } : {}),
        },
      });
    };
    await (manager ? work(manager) : this.dataSource.transaction(work));
    return { id, channel: destination.channel };
  }

  /** The user's newest live code of a purpose. */
  async latestLive(userId: string, purpose: OtpPurpose): Promise<(LiveOtp & { hash: Buffer }) | undefined> {
    const row = await firstRow<OtpRow>(
      this.dataSource.manager,
      `SELECT id, user_id, client_id, pending_code_id, channel, code_hash FROM otp_code
       WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
       ORDER BY created_at DESC LIMIT 1`,
      [userId, purpose],
    );
    return row && { ...toLive(row), hash: row.code_hash };
  }

  /** A live code by id (the MFA grant names it as its method). */
  async findLive(id: string, userId: string): Promise<(LiveOtp & { hash: Buffer }) | undefined> {
    const row = await firstRow<OtpRow>(
      this.dataSource.manager,
      `SELECT id, user_id, client_id, pending_code_id, channel, code_hash FROM otp_code
       WHERE id = $1 AND user_id = $2 AND used_at IS NULL AND expires_at > now()`,
      [id, userId],
    );
    return row && { ...toLive(row), hash: row.code_hash };
  }

  /** Constant-time comparison of a typed code with the stored hash. */
  matches(otp: { id: string; hash: Buffer }, code: string): boolean {
    return /^\d{6}$/.test(code) && timingSafeEqual(codeHash(otp.id, code), otp.hash);
  }

  /** Counts a wrong try; the fifth burns the code. Answers the tries left. */
  async recordFailure(id: string): Promise<number> {
    const row = await firstRow<{ failed_attempts: number }>(
      this.dataSource.manager,
      `UPDATE otp_code SET failed_attempts = failed_attempts + 1,
              used_at = CASE WHEN failed_attempts + 1 >= $2 THEN now() ELSE used_at END
       WHERE id = $1 AND used_at IS NULL RETURNING failed_attempts`,
      [id, OTP_MAX_FAILURES],
    );
    return row ? Math.max(0, OTP_MAX_FAILURES - row.failed_attempts) : 0;
  }

  /** Spends a live code; false when it was spent, burnt or expired meanwhile. */
  async consume(id: string, manager: EntityManager): Promise<boolean> {
    const done = await rows<{ id: string }>(
      manager,
      `UPDATE otp_code SET used_at = now() WHERE id = $1 AND used_at IS NULL AND expires_at > now() RETURNING id`,
      [id],
    );
    return done.length === 1;
  }
}
