import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Db } from '../database/db.js';
import { queryableOf } from '../database/typeorm-bridge.js';
import type { SecondFactorVerifier } from '../tokens/second-factor.js';
import { MfaMethodsService } from './mfa-methods.service.js';

/** The MFA store as the token engine's SecondFactorVerifier (hosted login page). */
@Injectable()
export class MfaSecondFactorVerifier implements SecondFactorVerifier {
  constructor(
    private readonly db: Db,
    private readonly methods: MfaMethodsService,
  ) {}

  hasAuthenticator(userId: string): Promise<boolean> {
    return this.methods.hasSecondFactor(userId);
  }

  verify(userId: string, code: string, manager?: EntityManager): Promise<'TOTP' | 'RECOVERY_CODE' | null> {
    // The token engine's interface still hands a TypeORM EntityManager (tokens is not on Db yet).
    const tx = manager ? queryableOf(manager) : this.db;
    return this.methods.verifyAnyCode(tx, userId, code, { consume: true });
  }
}
