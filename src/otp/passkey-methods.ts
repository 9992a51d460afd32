import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Errors } from '../common/errors/app-error.js';
import { rows } from '../database/sql.js';
import { queryableOf } from '../database/typeorm-bridge.js';
import { UsersService } from '../identity/users.service.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { PASSKEY_FACTOR, PasskeyFactor } from '../tokens/passkeys.js';
import { mailAuthenticatorNotice } from './authenticator-notices.js';
import type { MfaMethodRecord } from './mfa-methods.service.js';

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
  async removeAll(manager: EntityManager, userId: string): Promise<number> {
    return this.passkeys.removeAll(queryableOf(manager), userId);
  }

  /** Whether the user has a passkey, read in the caller's transaction. */
  async anyLeft(manager: EntityManager, userId: string): Promise<boolean> {
    return (await this.passkeys.count(queryableOf(manager), userId)) > 0;
  }

  /**
   * Removes a passkey in the caller's transaction (which holds the user's lock) and mails the
   * notice; with no authenticator and no passkey left, MFA is off (the recovery codes, a fallback
   * of those factors, go too). 404 when the user has no such passkey.
   */
  async remove(
    userId: string,
    methodId: string,
    email: string | null,
    manager: EntityManager,
  ): Promise<{ mfaTurnedOff: boolean }> {
    const removed = await this.passkeys.remove(queryableOf(manager), userId, methodId);
    if (!removed) throw Errors.notFound('No such MFA method');
    await mailAuthenticatorNotice(this.outbox, manager, email, 'authenticator-removed', removed.name);
    const totp = await rows<{ id: string }>(
      manager,
      `SELECT id FROM mfa_method WHERE user_id = $1 AND type = 'totp' AND confirmed_at IS NOT NULL`,
      [userId],
    );
    if (totp.length > 0 || (await this.anyLeft(manager, userId))) return { mfaTurnedOff: false };
    await manager.query(`DELETE FROM mfa_method WHERE user_id = $1 AND type = 'recoveryCode'`, [userId]);
    await this.users.setMfaEnabledIn(queryableOf(manager), userId, false);
    return { mfaTurnedOff: true };
  }
}
