import { Injectable } from '@nestjs/common';
import { Db, Queryable } from '../database/db.js';
import { UsersService } from '../identity/users.service.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { AuthenticatorMethods } from './authenticator-methods.service.js';
import { mailAuthenticatorNotice } from './authenticator-notices.js';
import { deleteMethod, deleteTotpWithRecoveryCodes, methodOf, methodsOf } from './mfa-methods.queries.js';
import type { MfaMethodRecord, SecondFactor } from './otp.types.js';
import { PasskeyMethods } from './passkey-methods.js';
import { checkRecoveryCode } from './recovery-codes.js';
import { isTotpFormat } from './totp.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * The one MFA store of sections 4 and 8: authenticator (TOTP) methods (AuthenticatorMethods),
 * recovery codes and the user's passkeys as methods (PasskeyMethods). Every route that checks a
 * second factor comes here, so a TOTP step is accepted once per user whatever the route, and a
 * recovery code works once.
 */
@Injectable()
export class MfaMethodsService {
  constructor(
    private readonly db: Db,
    private readonly authenticators: AuthenticatorMethods,
    private readonly outbox: OutboxService,
    private readonly passkeys: PasskeyMethods,
    private readonly users: UsersService,
  ) {}

  /** Every method of the user, pending ones included: authenticators, passkeys, then recovery codes. */
  list(userId: string): Promise<MfaMethodRecord[]> {
    return this.select(userId, false);
  }

  /** The confirmed methods: what an MFA challenge offers. */
  confirmed(userId: string): Promise<MfaMethodRecord[]> {
    return this.select(userId, true);
  }

  /** Whether the user has a second factor of their own: a confirmed authenticator or a passkey. */
  async hasSecondFactor(userId: string): Promise<boolean> {
    return (await this.authenticators.hasConfirmedTotp(userId)) || (await this.passkeys.has(userId));
  }

  private async select(userId: string, confirmedOnly: boolean) {
    const [codes, asMethods] = await Promise.all([
      methodsOf(this.db, userId, confirmedOnly),
      this.passkeys.records(userId),
    ]);
    const recovery = codes.filter((m) => m.type === 'recoveryCode');
    return [...codes.filter((m) => m.type !== 'recoveryCode'), ...asMethods, ...recovery];
  }

  /**
   * A code of any confirmed method: six digits are checked as the authenticator's TOTP, anything
   * else as a recovery code. Answers how the factor was proven, or null.
   */
  async verifyAnyCode(
    tx: Queryable,
    userId: string,
    code: string,
    options: { consume: boolean },
  ): Promise<SecondFactor | null> {
    if (isTotpFormat(code)) {
      const confirmed = await this.authenticators.confirmedTotp(tx, userId);
      return (await this.authenticators.checkTotp(tx, userId, confirmed, code, options.consume))
        ? 'TOTP'
        : null;
    }
    return (await checkRecoveryCode(tx, userId, code, options.consume)) ? 'RECOVERY_CODE' : null;
  }

  /** A code of one named confirmed method (the MFA grant's `methodId`); spends it when it matches. */
  async verifyMethodCode(
    tx: Queryable,
    userId: string,
    methodId: string,
    code: string,
  ): Promise<SecondFactor | null> {
    if (!isUuid(methodId)) return null;
    const method = await methodOf(tx, userId, methodId);
    if (!method?.confirmedAt) return null;
    if (method.type === 'totp')
      return (await this.authenticators.checkTotp(tx, userId, [method], code, true)) ? 'TOTP' : null;
    return (await checkRecoveryCode(tx, userId, code, true, method.id)) ? 'RECOVERY_CODE' : null;
  }

  /** A method of the user (pending or confirmed), or undefined. */
  async findOwn(userId: string, methodId: string): Promise<MfaMethodRecord | undefined> {
    if (!isUuid(methodId)) return undefined;
    return (await this.list(userId)).find((method) => method.id === methodId);
  }

  /**
   * Removes a method in the caller's transaction. Removing the confirmed authenticator removes the
   * recovery codes with it (they are a fallback for it, not a factor of their own); when no
   * confirmed authenticator and no passkey is left, MFA is off. Answers whether this turned MFA off.
   */
  async remove(tx: Queryable, userId: string, methodId: string): Promise<{ mfaTurnedOff: boolean }> {
    const email = (await this.users.lockIn(tx, userId))?.email ?? null;
    const method = await methodOf(tx, userId, methodId);
    if (!method) return this.passkeys.remove(tx, userId, methodId, email);
    if (method.type === 'totp' && method.confirmedAt) {
      await deleteTotpWithRecoveryCodes(tx, userId, method.id);
    } else {
      await deleteMethod(tx, method.id);
    }
    // A pending authenticator never signed anyone in: only a confirmed method's removal is news.
    if (!method.confirmedAt) return { mfaTurnedOff: false };
    await mailAuthenticatorNotice(this.outbox, tx, email, 'authenticator-removed', method.name);
    return this.passkeys.turnOffIfNoFactorLeft(tx, userId);
  }
}
