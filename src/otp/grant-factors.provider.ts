import { Injectable } from '@nestjs/common';
import type { Queryable } from '../database/db.js';
import type { User } from '../identity/identity.types.js';
import type { ChallengeMethod, MfaChallengeFactors } from '../tokens/mfa-challenges.js';
import { MfaMethodsService } from './mfa-methods.service.js';
import { OtpCodesService } from './otp-codes.service.js';

/** The MFA store and the emailed codes as the password grant's MfaChallengeFactors (API.md section 8). */
@Injectable()
export class GrantFactors implements MfaChallengeFactors {
  constructor(
    private readonly methodsStore: MfaMethodsService,
    private readonly otps: OtpCodesService,
  ) {}

  async methods(userId: string): Promise<ChallengeMethod[]> {
    const confirmed = await this.methodsStore.confirmed(userId);
    return confirmed.map((m) => ({ id: m.id, type: m.type, name: m.name }));
  }

  async sendCode(
    tx: Queryable,
    input: { user: User; clientId: string; appName: string },
  ): Promise<ChallengeMethod | null> {
    const sent = await this.otps.send(tx, { ...input, purpose: 'mfa-grant' });
    if (!sent) return null;
    const name = sent.channel === 'email' ? 'Code sent by email' : 'Code sent by SMS';
    return { id: sent.id, type: sent.channel, name };
  }

  async proveSentCode(tx: Queryable, userId: string, codeId: string, code: string): Promise<'OTP' | null> {
    const sent = await this.otps.findLive(codeId, userId);
    if (!sent || !this.otps.matches(sent, code)) return null;
    return (await this.otps.consume(tx, sent.id)) ? 'OTP' : null;
  }

  proveMethodCode(
    tx: Queryable,
    userId: string,
    methodId: string,
    code: string,
  ): Promise<'TOTP' | 'RECOVERY_CODE' | null> {
    return this.methodsStore.verifyMethodCode(tx, userId, methodId, code);
  }
}
