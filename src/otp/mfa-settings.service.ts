import { Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import type { RequestContext } from '../common/http/request-context.js';
import { AttemptLimiter, hasCode } from '../common/rate-limit/attempt-limiter.js';
import { Db } from '../database/db.js';
import type { User } from '../identity/identity.types.js';
import { CredentialCheck } from '../identity/credentials/credential-check.js';
import { UsersService } from '../identity/users.service.js';
import { SessionsService } from '../tokens/sessions.service.js';
import { AuthenticatorMethods } from './authenticator-methods.service.js';
import { isUuid, MfaMethodsService } from './mfa-methods.service.js';
import type { MfaMethodRecord, TotpSetup } from './otp.types.js';
import { OtpErrors } from './otp-errors.js';

/** Proof of the account owner for changing its MFA methods: the password, or a code of a method. */
export interface OwnerProof {
  password?: string;
  code?: string;
}

/**
 * API.md section 8, `/auth/v2/mfa/methods`: the caller manages their own second factors. Adding
 * or removing one needs the current password or a code of an existing method (neither while the
 * account has no password and no method); removing the last authenticator turns MFA off and ends
 * the user's other sessions.
 */
@Injectable()
export class MfaSettingsService {
  constructor(
    private readonly db: Db,
    private readonly users: UsersService,
    private readonly methods: MfaMethodsService,
    private readonly authenticators: AuthenticatorMethods,
    private readonly sessions: SessionsService,
    private readonly limiter: AttemptLimiter,
    private readonly credentials: CredentialCheck,
  ) {}

  list(auth: AuthClaims): Promise<MfaMethodRecord[]> {
    return this.methods.list(auth.sub);
  }

  async addTotp(auth: AuthClaims, proof: OwnerProof, ctx: RequestContext): Promise<TotpSetup> {
    const user = await this.requireOwner(auth, proof, ctx);
    return this.authenticators.startTotp({ user, tenantId: auth.tid, onlyIfNone: false });
  }

  async confirm(
    auth: AuthClaims,
    methodId: string,
    code: string,
  ): Promise<{ method: MfaMethodRecord; recoveryCodes: string[] }> {
    const attempt = await this.limiter.beginSecondFactor(auth.sub);
    try {
      if (!isUuid(methodId)) throw Errors.notFound('No such MFA method');
      const done = await this.authenticators.confirmTotp({
        userId: auth.sub,
        methodId,
        code: code.trim(),
        recoveryCodes: true,
      });
      await attempt.succeeded();
      return { method: done.method, recoveryCodes: done.recoveryCodes ?? [] };
    } catch (err) {
      if (!hasCode('INVALID_MFA_CODE')(err)) await attempt.succeeded();
      throw err;
    }
  }

  async remove(auth: AuthClaims, methodId: string, proof: OwnerProof, ctx: RequestContext): Promise<void> {
    if (!(await this.methods.findOwn(auth.sub, methodId))) throw Errors.notFound('No such MFA method');
    await this.requireOwner(auth, proof, ctx);
    await this.db.transaction(async (tx) => {
      const { mfaTurnedOff } = await this.methods.remove(tx, auth.sub, methodId);
      if (mfaTurnedOff) {
        await this.sessions.endAllForUserIn(tx, auth.sub, {
          reason: 'mfa_disabled',
          exceptSessionId: auth.sid,
        });
      }
    });
  }

  /**
   * The caller proves they own the account: the current password, or a code of one of their
   * confirmed methods (an authenticator's TOTP, spent like any other, or a recovery code). An
   * account with neither a password nor a method has nothing to prove with.
   */
  private async requireOwner(auth: AuthClaims, proof: OwnerProof, ctx: RequestContext): Promise<User> {
    const user = await this.users.findById(auth.sub);
    if (!user) throw Errors.unauthorized('The user no longer exists');
    if (proof.password !== undefined) {
      await this.credentials.confirm(user, proof.password, ctx.ip);
      return user;
    }
    if (proof.code !== undefined) {
      const attempt = await this.limiter.beginSecondFactor(user.id);
      if (!(await this.methods.verifyAnyCode(this.db, user.id, proof.code.trim(), { consume: true }))) {
        throw OtpErrors.invalidMfaCode();
      }
      await attempt.succeeded();
      return user;
    }
    const [hasPassword, confirmed] = await Promise.all([
      this.users.hasPassword(user.id),
      this.methods.confirmed(user.id),
    ]);
    // A passkey gives no code to prove with: an account without a password whose only factors
    // are passkeys proves itself by its session, like one without any method.
    if (!hasPassword && confirmed.every((m) => m.type === 'passkey')) return user;
    throw OtpErrors.proofRequired();
  }
}
