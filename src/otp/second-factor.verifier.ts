import { Injectable } from '@nestjs/common';
import type { Queryable } from '../database/db.js';
import type { SecondFactorVerifier } from '../tokens/second-factor.js';
import { MfaMethodsService } from './mfa-methods.service.js';

/** The MFA store as the token engine's SecondFactorVerifier (hosted login page). */
@Injectable()
export class MfaSecondFactorVerifier implements SecondFactorVerifier {
  constructor(private readonly methods: MfaMethodsService) {}

  hasAuthenticator(userId: string): Promise<boolean> {
    return this.methods.hasSecondFactor(userId);
  }

  verify(tx: Queryable, userId: string, code: string): Promise<'TOTP' | 'RECOVERY_CODE' | null> {
    return this.methods.verifyAnyCode(tx, userId, code, { consume: true });
  }
}
