import { Injectable } from '@nestjs/common';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { randomDigits, sha256 } from '../common/crypto/tokens.js';
import { Db, Queryable } from '../database/db.js';
import type { User } from '../identity/identity.types.js';
import { OutboxService } from '../notifications/outbox.service.js';
import {
  countCodeFailure,
  endLiveCodes,
  insertOtpCode,
  latestLiveCode,
  liveCodeById,
  spendCode,
} from './otp-codes.queries.js';
import type { LiveOtp, OtpChannel, OtpPurpose } from './otp.types.js';

/** OTPs live 5 minutes (API.md section 0) and 5 wrong tries burn one (section 4). */
export const OTP_TTL_S = 300;
export const OTP_MAX_FAILURES = 5;

function codeHash(id: string, code: string): Buffer {
  return sha256(`otp:${id}:${code}`);
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
    private readonly db: Db,
    private readonly outbox: OutboxService,
  ) {}

  /** Sends a new code in the caller's transaction (with its outbox message); null when the user has no address. */
  async send(
    tx: Queryable,
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
  ): Promise<{ id: string; channel: OtpChannel } | null> {
    const destination = otpDestination(input.user, input.channel);
    if (!destination) return null;
    const id = randomUUID();
    const code = randomDigits(6);
    await endLiveCodes(tx, input.user.id, input.purpose);
    await insertOtpCode(tx, {
      id,
      userId: input.user.id,
      clientId: input.clientId,
      pendingCodeId: input.pendingCodeId ?? null,
      purpose: input.purpose,
      channel: destination.channel,
      codeHash: codeHash(id, code),
      ttlSeconds: OTP_TTL_S,
    });
    await this.outbox.enqueue(tx, {
      channel: destination.channel,
      to: destination.to,
      template: 'otp-code',
      data: {
        code,
        expiresInMinutes: String(OTP_TTL_S / 60),
        ...(input.appName ? { appName: input.appName } : {}),
      },
    });
    return { id, channel: destination.channel };
  }

  /** The user's newest live code of a purpose. */
  latestLive(userId: string, purpose: OtpPurpose): Promise<LiveOtp | undefined> {
    return latestLiveCode(this.db, userId, purpose);
  }

  /** A live code by id (the MFA grant names it as its method). */
  findLive(id: string, userId: string): Promise<LiveOtp | undefined> {
    return liveCodeById(this.db, id, userId);
  }

  /** Constant-time comparison of a typed code with the stored hash. */
  matches(otp: { id: string; hash: Buffer }, code: string): boolean {
    return /^\d{6}$/.test(code) && timingSafeEqual(codeHash(otp.id, code), otp.hash);
  }

  /** Counts a wrong try; the fifth burns the code. Answers the tries left. */
  async recordFailure(id: string): Promise<number> {
    const failed = await countCodeFailure(this.db, id, OTP_MAX_FAILURES);
    return failed === undefined ? 0 : Math.max(0, OTP_MAX_FAILURES - failed);
  }

  /** Spends a live code in the caller's transaction; false when it was spent, burnt or expired meanwhile. */
  consume(tx: Queryable, id: string): Promise<boolean> {
    return spendCode(tx, id);
  }
}
