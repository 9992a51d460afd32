import { Inject, Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import type { Queryable } from '../database/db.js';
import { UsersService } from '../identity/users.service.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { PASSKEY_FACTOR, PasskeyFactor } from '../tokens/passkeys.js';
import { mailAuthenticatorNotice } from './authenticator-notices.js';
import { deleteRecoveryCodeSet, hasConfirmedTotpMethod } from './mfa-methods.queries.js';
import type { MfaMethodRecord } from './otp.types.js';

/**
 * The user's passkeys as methods of the MFA store (API.md section 13): listed beside the
 * authenticators, counted when deciding whether MFA stays on, removed by DELETE
 * /auth/v2/mfa/methods/{id}. The passkeys themselves belong to the passkeys module, reached
 * through the token engine's PasskeyFactor (this module does not import that feature).
 */
@Injectable()
export class PasskeyMethods {
  constructor(
    @Inject(PASSKEY_FACTOR) private readonly passkeys: PasskeyFactor,
    private readonly users: UsersService,
    private readonly outbox: OutboxService,
  ) {}

  /** The user's passkeys as (always confirmed) MFA methods, oldest first. */
  async records(userId: string): Promise<MfaMethodRecord[]> {
    return (await this.passkeys.list(userId)).map((p) => ({
      id: p.id,
      userId,
      type: 'passkey',
      name: p.name,
      confirmed: true,
      createdAt: p.createdAt,
      lastUsedAt: p.lastUsedAt,
      remainingCodes: null,
    }));
  }

  async has(userId: string): Promise<boolean> {
    return (await this.passkeys.list(userId)).length > 0;
  }

  /** Removes every passkey of the user in the caller's transaction (an admin's MFA reset). */
  removeAll(tx: Queryable, userId: string): Promise<number> {
    return this.passkeys.removeAll(tx, userId);
  }

  /**
   * Removes a passkey in the caller's transaction (which holds the user's lock) and mails the
   * notice; with no authenticator and no passkey left, MFA is off (the recovery codes, a fallback
   * of those factors, go too). 404 when the user has no such passkey.
   */
  async remove(
    tx: Queryable,
    userId: string,
    methodId: string,
    email: string | null,
  ): Promise<{ mfaTurnedOff: boolean }> {
    const removed = await this.passkeys.remove(tx, userId, methodId);
    if (!removed) throw Errors.notFound('No such MFA method');
    await mailAuthenticatorNotice(this.outbox, tx, email, 'authenticator-removed', removed.name);
    return this.turnOffIfNoFactorLeft(tx, userId);
  }

  /**
   * After a factor was removed in the caller's transaction: with no confirmed authenticator and
   * no passkey left, the recovery codes (their fallback) go and MFA is off. Answers whether it is.
   */
  async turnOffIfNoFactorLeft(tx: Queryable, userId: string): Promise<{ mfaTurnedOff: boolean }> {
    if (await hasConfirmedTotpMethod(tx, userId)) return { mfaTurnedOff: false };
    if ((await this.passkeys.count(tx, userId)) > 0) return { mfaTurnedOff: false };
    await deleteRecoveryCodeSet(tx, userId);
    await this.users.setMfaEnabledIn(tx, userId, false);
    return { mfaTurnedOff: true };
  }
}
