import { Injectable } from '@nestjs/common';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { Db, Queryable } from '../database/db.js';
import type {
  PasskeyAssertion,
  PasskeyFactor,
  PasskeyMethod,
  PasskeySignInStart,
} from '../tokens/passkeys.js';
import * as sql from './passkeys.queries.js';
import { PasskeysService } from './passkeys.service.js';

/** The passkey store as the token engine's PasskeyFactor (otp's MFA store, the hosted login page). */
@Injectable()
export class PasskeyFactorProvider implements PasskeyFactor {
  constructor(
    private readonly db: Db,
    private readonly passkeys: PasskeysService,
  ) {}

  async list(userId: string): Promise<PasskeyMethod[]> {
    return (await sql.credentialsOf(this.db, userId)).map((c) => ({
      id: c.id,
      name: c.name,
      createdAt: c.createdAt,
      lastUsedAt: c.lastUsedAt,
    }));
  }

  count(q: Queryable, userId: string): Promise<number> {
    return sql.countCredentials(q, userId);
  }

  async remove(q: Queryable, userId: string, methodId: string): Promise<{ name: string } | null> {
    return (await sql.deleteCredential(q, userId, methodId)) ?? null;
  }

  removeAll(q: Queryable, userId: string): Promise<number> {
    return sql.deleteAllCredentials(q, userId);
  }

  secondFactorOptions(
    userId: string,
    binding: string,
    methodId?: string,
  ): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
    return this.passkeys.secondFactorOptions(userId, binding, methodId);
  }

  verifySecondFactor(input: PasskeyAssertion): Promise<boolean> {
    return this.passkeys.verifySecondFactor(
      input.userId,
      input.binding,
      input.credential,
      this.passkeys.origins(input.client),
      input.methodId,
    );
  }

  startSignIn(binding: string): Promise<PasskeySignInStart> {
    return this.passkeys.startSignIn(binding);
  }

  async finishSignIn(
    stateToken: string,
    binding: string,
    credential: unknown,
    ip: string,
  ): Promise<{ userId: string } | null> {
    // The hosted page is served on PUBLIC_URL: only its origin.
    const done = await this.passkeys.finishSignIn(
      stateToken,
      binding,
      credential,
      this.passkeys.origins(null),
      ip,
    );
    return done ? { userId: done.user.id } : null;
  }
}
