import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SecretBox, sealedAt } from '../common/crypto/secret-box.js';
import { Errors } from '../common/errors/app-error.js';
import { lazy } from '../common/lazy.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Db, Queryable } from '../database/db.js';
import type { User } from '../identity/identity.types.js';
import { TenantsService } from '../identity/tenants.service.js';
import { UsersService } from '../identity/users.service.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { mailAuthenticatorNotice } from './authenticator-notices.js';
import {
  confirmMethod,
  deletePendingTotp,
  hasConfirmedTotpMethod,
  insertTotpMethod,
  lastTotpStep,
  methodOf,
  recordTotpStep,
  totpMethodsOf,
  touchMethod,
} from './mfa-methods.queries.js';
import { OtpErrors } from './otp-errors.js';
import type { MfaMethodRecord, StoredMfaMethod, TotpSetup } from './otp.types.js';
import { replaceRecoveryCodes } from './recovery-codes.js';
import { isTotpFormat, matchTotpStep, newTotpSecret, totpUri } from './totp.js';

/** The QR code renderer, loaded by the first authenticator set-up rather than at start-up. */
const qrCodes = lazy(() => import('qrcode'));

/**
 * The authenticator (TOTP) methods of the MFA store (API.md sections 4 and 8): set-up, confirmation
 * and code checks. A TOTP step is accepted once per user whatever the route (including the step
 * that confirmed the method).
 */
@Injectable()
export class AuthenticatorMethods {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly users: UsersService,
    private readonly tenants: TenantsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxService,
  ) {}

  /** Whether the user has a confirmed authenticator (section 4's `isGenerated`). */
  hasConfirmedTotp(userId: string): Promise<boolean> {
    return hasConfirmedTotpMethod(this.db, userId);
  }

  /** The user's newest pending (unconfirmed) authenticator id, if any. */
  async pendingTotpId(userId: string): Promise<string | undefined> {
    return (await totpMethodsOf(this.db, userId)).find((r) => r.confirmedAt === null)?.id;
  }

  /** The user's confirmed authenticators, newest first. */
  async confirmedTotp(tx: Queryable, userId: string): Promise<StoredMfaMethod[]> {
    return (await totpMethodsOf(tx, userId)).filter((r) => r.confirmedAt !== null);
  }

  /**
   * Creates a pending authenticator for the user (replacing an older pending one) and answers
   * what the user's app needs: the base32 secret, the `otpauth://` URI and it as a QR PNG data URL.
   * With `onlyIfNone` (section 4's create-qr-code) a user with a confirmed authenticator gets 409
   * MFA_ALREADY_CONFIGURED; section 8 lets a user add further authenticators.
   */
  async startTotp(input: { user: User; tenantId: string; onlyIfNone: boolean }): Promise<TotpSetup> {
    const { user } = input;
    const secret = newTotpSecret();
    const methodId = await this.db.transaction(async (tx) => {
      // Serialises concurrent set-ups and confirmations of one user.
      await this.users.lockIn(tx, user.id);
      const confirmed = await this.confirmedTotp(tx, user.id);
      if (input.onlyIfNone && confirmed.length > 0) throw OtpErrors.mfaAlreadyConfigured();
      await deletePendingTotp(tx, user.id);
      const name = confirmed.length === 0 ? 'Authenticator app' : `Authenticator app ${confirmed.length + 1}`;
      const id = randomUUID();
      const secretEnc = this.box.encrypt(secret, sealedAt('mfa_method', 'secret_enc', id));
      await insertTotpMethod(tx, { id, userId: user.id, name, secretEnc });
      return id;
    });
    const otpauthUrl = totpUri({
      issuer: await this.issuer(input.tenantId),
      label: user.email ?? user.username ?? user.id,
      secret,
    });
    const qrCode = await (
      await qrCodes()
    ).default.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 2, width: 256 });
    return { methodId, secret, otpauthUrl, qrCode };
  }

  /** The name an authenticator app shows next to the codes: the tenant's, else this service's host. */
  private async issuer(tenantId: string): Promise<string> {
    try {
      return (await this.tenants.requireTenant(tenantId)).name;
    } catch {
      return new URL(this.config.publicUrl).host;
    }
  }

  /**
   * Checks a TOTP code against the given authenticators of one user; answers the one it matches.
   * With `consume`, the code's step is recorded as the user's last accepted step by a conditional
   * upsert: a replayed step, or one at or before the last accepted step, is refused even when two
   * requests race, whichever route or authenticator they use.
   */
  async checkTotp(
    tx: Queryable,
    userId: string,
    candidates: StoredMfaMethod[],
    code: string,
    consume: boolean,
  ): Promise<StoredMfaMethod | null> {
    if (!isTotpFormat(code) || candidates.length === 0) return null;
    const last = await lastTotpStep(tx, userId);
    for (const method of candidates) {
      // A secret that does not open here (moved from another row, an old key) matches nothing.
      const at = sealedAt('mfa_method', 'secret_enc', method.id);
      const secret = method.secretEnc && this.box.decryptOrNull(method.secretEnc, at);
      if (!secret) continue;
      const step = await matchTotpStep(secret, code, last);
      if (step === null) continue;
      if (!consume) return method;
      if (!(await recordTotpStep(tx, userId, step))) return null;
      await touchMethod(tx, method.id);
      return method;
    }
    return null;
  }

  /**
   * Confirms a pending authenticator with a code (its step is then spent, like any other): MFA is
   * on. With `recoveryCodes`, a fresh set of 10 replaces the user's old one and is answered, the
   * only time it is shown. 404 for an unknown or foreign method (the caller checks that
   * `methodId` is a UUID), 409 when already confirmed, 401 INVALID_MFA_CODE for a wrong code.
   */
  confirmTotp(input: {
    userId: string;
    methodId: string;
    code: string;
    recoveryCodes: boolean;
  }): Promise<{ method: MfaMethodRecord; recoveryCodes: string[] | null }> {
    return this.db.transaction((tx) => this.confirmIn(tx, input));
  }

  /**
   * Confirms the user's pending authenticator if `code` is its current TOTP (section 4: an
   * authenticator made by create-qr-code is proven by the verify-otp that completes the login),
   * in the caller's transaction.
   */
  async confirmPendingWithCode(tx: Queryable, userId: string, code: string): Promise<boolean> {
    if (!isTotpFormat(code)) return false;
    const pending = (await totpMethodsOf(tx, userId)).find((r) => r.confirmedAt === null);
    if (!pending) return false;
    try {
      await this.confirmIn(tx, { userId, methodId: pending.id, code, recoveryCodes: false });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'INVALID_MFA_CODE') return false;
      throw err;
    }
  }

  private async confirmIn(
    tx: Queryable,
    input: { userId: string; methodId: string; code: string; recoveryCodes: boolean },
  ): Promise<{ method: MfaMethodRecord; recoveryCodes: string[] | null }> {
    const email = (await this.users.lockIn(tx, input.userId))?.email ?? null;
    const method = await methodOf(tx, input.userId, input.methodId);
    if (!method || method.type !== 'totp') throw Errors.notFound('No such MFA method');
    if (method.confirmedAt) throw OtpErrors.mfaAlreadyConfigured();
    if (!(await this.checkTotp(tx, input.userId, [method], input.code, true)))
      throw OtpErrors.invalidMfaCode();
    const confirmed = await confirmMethod(tx, method.id);
    const codes = input.recoveryCodes ? await replaceRecoveryCodes(tx, input.userId) : null;
    await this.users.setMfaEnabledIn(tx, input.userId, true);
    await mailAuthenticatorNotice(this.outbox, tx, email, 'authenticator-added', method.name);
    return { method: confirmed, recoveryCodes: codes };
  }
}
