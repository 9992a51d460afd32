import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { User } from '../identity/entities/user.entity.js';
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
    tx: EntityManager,
    input: { user: User; clientId: string; appName: string },
  ): Promise<ChallengeMethod | null> {
    const sent = await this.otps.send({ ...input, purpose: 'mfa-grant' }, tx);
    if (!sent) return null;
    const name = sent.channel === 'email' ? 'Code sent by email' : 'Code sent by SMS';
    return { id: sent.id, type: sent.channel, name };
  }

  async proveSentCode(
    tx: EntityManager,
    userId: string,
    codeId: string,
    code: string,
  ): Promise<'OTP' | null> {
    const sent = await this.otps.findLive(codeId, userId);
    if (!sent || !this.otps.matches(sent, code)) return null;
    return (await this.otps.consume(sent.id, tx)) ? 'OTP' : null;
  }

  proveMethodCode(
    tx: EntityManager,
    userId: string,
    methodId: string,
    code: string,
  ): Promise<'TOTP' | 'RECOVERY_CODE' | null> {
    return this.methodsStore.verifyMethodCode(userId, methodId, code, tx);
  }
}
