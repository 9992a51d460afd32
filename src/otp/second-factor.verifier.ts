import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SecondFactorVerifier } from '../tokens/second-factor.js';
import { MfaMethodsService } from './mfa-methods.service.js';

/** The MFA store as the token engine's SecondFactorVerifier (hosted login page). */
@Injectable()
export class MfaSecondFactorVerifier implements SecondFactorVerifier {
  constructor(private readonly methods: MfaMethodsService) {}

  hasAuthenticator(userId: string): Promise<boolean> {
    return this.methods.hasSecondFactor(userId);
  }

  verify(userId: string, code: string, manager?: EntityManager): Promise<'TOTP' | 'RECOVERY_CODE' | null> {
    return this.methods.verifyAnyCode(userId, code, { consume: true }, manager);
  }
}
