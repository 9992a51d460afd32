import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import QRCode from 'qrcode';
import { DataSource, EntityManager } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { SecretBox, sealedAt } from '../common/crypto/secret-box.js';
import { Errors } from '../common/errors/app-error.js';
import { firstRow, rows } from '../database/sql.js';
import { queryableOf } from '../database/typeorm-bridge.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { User } from '../identity/identity.types.js';
import { TenantsService } from '../identity/tenants.service.js';
import { UsersService } from '../identity/users.service.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { lockUserForNotice, mailAuthenticatorNotice } from './authenticator-notices.js';
import type { MfaMethodType } from './entities/mfa-method.entity.js';
import { OtpErrors } from './otp-errors.js';
import { PasskeyMethods } from './passkey-methods.js';
import { isRecoveryCodeFormat, newRecoveryCodes, recoveryCodeHash } from './recovery-codes.js';
import { isTotpFormat, matchTotpStep, newTotpSecret, totpUri } from './totp.js';
import { isUuid } from '../common/validation/ids.js';

/** How a second factor ended a login: the session's `authMethod`. */
export type SecondFactor = 'TOTP' | 'RECOVERY_CODE';

/** What an authenticator app needs, shown once when the method is created. */
export interface TotpSetup {
  methodId: string;
  /** Base32 secret, for typing in by hand. */
  secret: string;
  otpauthUrl: string;
  /** `data:image/png;base64,...` QR code of `otpauthUrl`. */
  qrCode: string;
}

export interface MfaMethodRecord {
  id: string;
  userId: string;
  /** `passkey`: a WebAuthn credential of the passkeys module (API.md section 13), always confirmed. */
  type: MfaMethodType | 'passkey';
  name: string;
  confirmed: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** Unused recovery codes (`recoveryCode` methods only, else null). */
  remainingCodes: number | null;
}

interface MethodRow {
  id: string;
  user_id: string;
  type: MfaMethodType;
  name: string;
  secret_enc: string | null;
  confirmed_at: Date | null;
  created_at: Date;
  last_used_at: Date | null;
  remaining_codes?: number | null;
}

function toRecord(row: MethodRow): MfaMethodRecord {
  return {
    id: row.id,
    userId: row.user_id,
    type: row.type,
    name: row.name,
    confirmed: row.confirmed_at !== null,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    remainingCodes: row.type === 'recoveryCode' ? Number(row.remaining_codes ?? 0) : null,
  };
}

/**
 * The one MFA store of sections 4 and 8: authenticator (TOTP) methods and recovery codes. Every
 * route that checks a second factor comes here, so a TOTP step is accepted once per user whatever
 * the route (including the step that confirmed the method), and a recovery code works once.
 */
@Injectable()
export class MfaMethodsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly users: UsersService,
    private readonly tenants: TenantsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxService,
    private readonly passkeys: PasskeyMethods,
  ) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  private inTransaction<T>(manager: EntityManager | undefined, work: (m: EntityManager) => Promise<T>) {
    return manager ? work(manager) : this.dataSource.transaction(work);
  }

  /** Every method of the user, pending ones included: authenticators, passkeys, then recovery codes. */
  list(userId: string): Promise<MfaMethodRecord[]> {
    return this.select(userId, false);
  }

  /** The confirmed methods: what an MFA challenge offers. */
  confirmed(userId: string, manager?: EntityManager): Promise<MfaMethodRecord[]> {
    return this.select(userId, true, manager);
  }

  /** Whether the user has a second factor of their own: a confirmed authenticator or a passkey. */
  async hasSecondFactor(userId: string): Promise<boolean> {
    return (await this.hasConfirmedTotp(userId)) || (await this.passkeys.has(userId));
  }

  private async select(userId: string, confirmedOnly: boolean, manager?: EntityManager) {
    const [codes, asMethods] = await Promise.all([
      this.selectOwn(userId, confirmedOnly, manager),
      this.passkeys.records(userId),
    ]);
    const recovery = codes.filter((m) => m.type === 'recoveryCode');
    return [...codes.filter((m) => m.type !== 'recoveryCode'), ...asMethods, ...recovery];
  }

  private async selectOwn(userId: string, confirmedOnly: boolean, manager?: EntityManager) {
    const found = await rows<MethodRow>(
      this.m(manager),
      `SELECT m.*, (SELECT count(*)::int FROM mfa_recovery_code c WHERE c.method_id = m.id AND c.used_at IS NULL)
                AS remaining_codes
       FROM mfa_method m WHERE m.user_id = $1 AND ($2 = false OR m.confirmed_at IS NOT NULL)
       ORDER BY m.type = 'recoveryCode', m.created_at`,
      [userId, confirmedOnly],
    );
    return found.map(toRecord);
  }

  private async totpRows(userId: string, manager?: EntityManager): Promise<MethodRow[]> {
    return rows<MethodRow>(
      this.m(manager),
      `SELECT * FROM mfa_method WHERE user_id = $1 AND type = 'totp' ORDER BY created_at DESC`,
      [userId],
    );
  }

  /** Whether the user has a confirmed authenticator (section 4's `isGenerated`). */
  async hasConfirmedTotp(userId: string): Promise<boolean> {
    return (await this.totpRows(userId)).some((r) => r.confirmed_at !== null);
  }

  /** The user's newest pending (unconfirmed) authenticator id, if any. */
  async pendingTotpId(userId: string): Promise<string | undefined> {
    return (await this.totpRows(userId)).find((r) => r.confirmed_at === null)?.id;
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
    const methodId = await this.dataSource.transaction(async (m) => {
      // Serialises concurrent set-ups and confirmations of one user.
      await m.query(`SELECT id FROM app_user WHERE id = $1 FOR UPDATE`, [user.id]);
      const confirmed = (await this.totpRows(user.id, m)).filter((r) => r.confirmed_at !== null);
      if (input.onlyIfNone && confirmed.length > 0) throw OtpErrors.mfaAlreadyConfigured();
      await m.query(`DELETE FROM mfa_method WHERE user_id = $1 AND type = 'totp' AND confirmed_at IS NULL`, [
        user.id,
      ]);
      const name = confirmed.length === 0 ? 'Authenticator app' : `Authenticator app ${confirmed.length + 1}`;
      const id = randomUUID();
      await m.query(
        `INSERT INTO mfa_method (id, user_id, type, name, secret_enc) VALUES ($4, $1, 'totp', $2, $3)`,
        [user.id, name, this.box.encrypt(secret, sealedAt('mfa_method', 'secret_enc', id)), id],
      );
      return id;
    });
    const otpauthUrl = totpUri({
      issuer: await this.issuer(input.tenantId),
      label: user.email ?? user.username ?? user.id,
      secret,
    });
    const qrCode = await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 2, width: 256 });
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
  private async checkTotp(
    userId: string,
    candidates: MethodRow[],
    code: string,
    consume: boolean,
    m: EntityManager,
  ): Promise<MethodRow | null> {
    if (!isTotpFormat(code) || candidates.length === 0) return null;
    const state = await firstRow<{ last_used_step: string }>(
      m,
      `SELECT last_used_step FROM mfa_totp_step WHERE user_id = $1`,
      [userId],
    );
    const last = state ? Number(state.last_used_step) : null;
    for (const method of candidates) {
      // A secret that does not open here (moved from another row, an old key) matches nothing.
      const at = sealedAt('mfa_method', 'secret_enc', method.id);
      const secret = method.secret_enc && this.box.decryptOrNull(method.secret_enc, at);
      if (!secret) continue;
      const step = await matchTotpStep(secret, code, last);
      if (step === null) continue;
      if (!consume) return method;
      const recorded = await rows<{ user_id: string }>(
        m,
        `INSERT INTO mfa_totp_step (user_id, last_used_step) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET last_used_step = EXCLUDED.last_used_step
           WHERE mfa_totp_step.last_used_step < EXCLUDED.last_used_step
         RETURNING user_id`,
        [userId, step],
      );
      if (recorded.length !== 1) return null;
      await m.query(`UPDATE mfa_method SET last_used_at = now() WHERE id = $1`, [method.id]);
      return method;
    }
    return null;
  }

  /** Checks (and with `consume` spends) one of the user's unused recovery codes. */
  private async checkRecoveryCode(
    userId: string,
    code: string,
    consume: boolean,
    m: EntityManager,
    methodId?: string,
  ): Promise<boolean> {
    if (!isRecoveryCodeFormat(code)) return false;
    const set = await firstRow<{ id: string }>(
      m,
      `SELECT id FROM mfa_method WHERE user_id = $1 AND type = 'recoveryCode' AND confirmed_at IS NOT NULL
         AND ($2::uuid IS NULL OR id = $2::uuid)`,
      [userId, methodId ?? null],
    );
    if (!set) return false;
    const hash = recoveryCodeHash(set.id, code);
    if (!consume) {
      const found = await rows<{ id: string }>(
        m,
        `SELECT id FROM mfa_recovery_code WHERE method_id = $1 AND code_hash = $2 AND used_at IS NULL`,
        [set.id, hash],
      );
      return found.length === 1;
    }
    const spent = await rows<{ id: string }>(
      m,
      `UPDATE mfa_recovery_code SET used_at = now()
       WHERE method_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id`,
      [set.id, hash],
    );
    if (spent.length !== 1) return false;
    await m.query(`UPDATE mfa_method SET last_used_at = now() WHERE id = $1`, [set.id]);
    return true;
  }

  /**
   * A code of any confirmed method: six digits are checked as the authenticator's TOTP, anything
   * else as a recovery code. Answers how the factor was proven, or null.
   */
  async verifyAnyCode(
    userId: string,
    code: string,
    options: { consume: boolean },
    manager?: EntityManager,
  ): Promise<SecondFactor | null> {
    const m = this.m(manager);
    if (isTotpFormat(code)) {
      const confirmed = (await this.totpRows(userId, m)).filter((r) => r.confirmed_at !== null);
      return (await this.checkTotp(userId, confirmed, code, options.consume, m)) ? 'TOTP' : null;
    }
    return (await this.checkRecoveryCode(userId, code, options.consume, m)) ? 'RECOVERY_CODE' : null;
  }

  /** A code of one named confirmed method (the MFA grant's `methodId`); spends it when it matches. */
  async verifyMethodCode(
    userId: string,
    methodId: string,
    code: string,
    manager?: EntityManager,
  ): Promise<SecondFactor | null> {
    if (!isUuid(methodId)) return null;
    const m = this.m(manager);
    const method = await firstRow<MethodRow>(
      m,
      `SELECT * FROM mfa_method WHERE id = $1 AND user_id = $2 AND confirmed_at IS NOT NULL`,
      [methodId, userId],
    );
    if (!method) return null;
    if (method.type === 'totp')
      return (await this.checkTotp(userId, [method], code, true, m)) ? 'TOTP' : null;
    return (await this.checkRecoveryCode(userId, code, true, m, method.id)) ? 'RECOVERY_CODE' : null;
  }

  /**
   * Confirms a pending authenticator with a code (its step is then spent, like any other): MFA is
   * on. With `recoveryCodes`, a fresh set of 10 replaces the user's old one and is answered, the
   * only time it is shown. 404 for an unknown or foreign method, 409 when already confirmed, 401
   * INVALID_MFA_CODE for a wrong code.
   */
  async confirmTotp(
    input: { userId: string; methodId: string; code: string; recoveryCodes: boolean },
    manager?: EntityManager,
  ): Promise<{ method: MfaMethodRecord; recoveryCodes: string[] | null }> {
    if (!isUuid(input.methodId)) throw Errors.notFound('No such MFA method');
    return this.inTransaction(manager, async (m) => {
      const email = await lockUserForNotice(m, input.userId);
      const method = await firstRow<MethodRow>(
        m,
        `SELECT * FROM mfa_method WHERE id = $1 AND user_id = $2 AND type = 'totp'`,
        [input.methodId, input.userId],
      );
      if (!method) throw Errors.notFound('No such MFA method');
      if (method.confirmed_at) throw OtpErrors.mfaAlreadyConfigured();
      if (!(await this.checkTotp(input.userId, [method], input.code, true, m)))
        throw OtpErrors.invalidMfaCode();
      const confirmed = await firstRow<MethodRow>(
        m,
        `UPDATE mfa_method SET confirmed_at = now() WHERE id = $1 RETURNING *`,
        [method.id],
      );
      const codes = input.recoveryCodes ? await this.replaceRecoveryCodes(input.userId, m) : null;
      await this.users.setMfaEnabledIn(queryableOf(m), input.userId, true);
      await mailAuthenticatorNotice(this.outbox, m, email, 'authenticator-added', method.name);
      return { method: toRecord(confirmed!), recoveryCodes: codes };
    });
  }

  /**
   * Confirms the user's pending authenticator if `code` is its current TOTP (section 4: an
   * authenticator made by create-qr-code is proven by the verify-otp that completes the login).
   */
  async confirmPendingWithCode(userId: string, code: string, manager: EntityManager): Promise<boolean> {
    if (!isTotpFormat(code)) return false;
    const pending = (await this.totpRows(userId, manager)).find((r) => r.confirmed_at === null);
    if (!pending) return false;
    try {
      await this.confirmTotp({ userId, methodId: pending.id, code, recoveryCodes: false }, manager);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'INVALID_MFA_CODE') return false;
      throw err;
    }
  }

  private async replaceRecoveryCodes(userId: string, m: EntityManager): Promise<string[]> {
    await m.query(`DELETE FROM mfa_method WHERE user_id = $1 AND type = 'recoveryCode'`, [userId]);
    const set = await firstRow<{ id: string }>(
      m,
      `INSERT INTO mfa_method (user_id, type, name, confirmed_at) VALUES ($1, 'recoveryCode', 'Recovery codes', now())
       RETURNING id`,
      [userId],
    );
    const codes = newRecoveryCodes();
    const hashes = codes.map((c) => recoveryCodeHash(set!.id, c));
    await m.query(`INSERT INTO mfa_recovery_code (method_id, code_hash) SELECT $1, unnest($2::bytea[])`, [
      set!.id,
      hashes,
    ]);
    return codes;
  }

  /** A method of the user (pending or confirmed), or undefined. */
  async findOwn(userId: string, methodId: string): Promise<MfaMethodRecord | undefined> {
    if (!isUuid(methodId)) return undefined;
    return (await this.list(userId)).find((method) => method.id === methodId);
  }

  /**
   * Removes a method. Removing the confirmed authenticator removes the recovery codes with it
   * (they are a fallback for it, not a factor of their own); when no confirmed authenticator is
   * left, MFA is off. Answers whether this turned MFA off.
   */
  async remove(userId: string, methodId: string, manager: EntityManager): Promise<{ mfaTurnedOff: boolean }> {
    const email = await lockUserForNotice(manager, userId);
    const method = await firstRow<MethodRow>(
      manager,
      `SELECT * FROM mfa_method WHERE id = $1 AND user_id = $2`,
      [methodId, userId],
    );
    if (!method) return this.passkeys.remove(userId, methodId, email, manager);
    if (method.type === 'totp' && method.confirmed_at) {
      await manager.query(
        `DELETE FROM mfa_method WHERE user_id = $1 AND (id = $2 OR type = 'recoveryCode')`,
        [userId, method.id],
      );
    } else {
      await manager.query(`DELETE FROM mfa_method WHERE id = $1`, [method.id]);
    }
    // A pending authenticator never signed anyone in: only a confirmed method's removal is news.
    if (method.confirmed_at)
      await mailAuthenticatorNotice(this.outbox, manager, email, 'authenticator-removed', method.name);
    const left = await rows<{ id: string }>(
      manager,
      `SELECT id FROM mfa_method WHERE user_id = $1 AND type = 'totp' AND confirmed_at IS NOT NULL`,
      [userId],
    );
    if (left.length > 0 || !method.confirmed_at) return { mfaTurnedOff: false };
    if (await this.passkeys.anyLeft(manager, userId)) return { mfaTurnedOff: false };
    await this.users.setMfaEnabledIn(queryableOf(manager), userId, false);
    return { mfaTurnedOff: true };
  }
}
