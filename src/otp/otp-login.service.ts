import { Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import {
  Attempt,
  AttemptLimiter,
  AttemptSubjects,
  hasCode,
  IpOnly,
} from '../common/rate-limit/attempt-limiter.js';
import { Db, Queryable } from '../database/db.js';
import { ClientsService } from '../identity/clients.service.js';
import { CodeBudget } from '../identity/credentials/code-budget.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { MfaPolicy } from '../identity/mfa-policy.js';
import { UsersService } from '../identity/users.service.js';
import { RecipientLimiter } from '../notifications/recipient-limiter.js';
import { AuthCodesService, PendingCode } from '../tokens/auth-codes.service.js';
import { AuthenticatorMethods } from './authenticator-methods.service.js';
import { MfaMethodsService } from './mfa-methods.service.js';
import { countPendingLoginFailure } from './otp-codes.queries.js';
import { OtpCodesService } from './otp-codes.service.js';
import type { OtpChannel } from './otp.types.js';
import { beginAll } from '../common/rate-limit/begin-all.js';
import { OtpErrors } from './otp-errors.js';

/** Wrong second factors against one pending /auth/login code before it is burnt. */
export const PENDING_LOGIN_MAX_FAILURES = 5;

/** A proof that did not hold inside a transaction: rolls it back, then counts as a failure. */
class NoMatch extends Error {}

/**
 * API.md section 4: one-time codes by email or SMS, and the authenticator app of the login-code
 * flow. `/auth/verify-otp` either completes the second factor of a pending `/auth/login` code (it
 * is spent and a full code issued, recording TOTP, RECOVERY_CODE or OTP), or, without one, is a
 * passwordless login by an emailed or texted code (authMethod OTP) for users without MFA.
 * Wrong authenticator and recovery codes count against the one per-user budget of second factors
 * (AttemptLimiter.beginSecondFactor, shared with the hosted page, the section 8 grant and MFA
 * settings); wrong emailed codes against the user's daily code budget (CodeBudget), and, as the
 * second factor of a pending login, against the second-factor budget too.
 */
@Injectable()
export class OtpLoginService {
  constructor(
    private readonly db: Db,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
    private readonly mfaPolicy: MfaPolicy,
    private readonly codes: AuthCodesService,
    private readonly otps: OtpCodesService,
    private readonly methods: MfaMethodsService,
    private readonly authenticators: AuthenticatorMethods,
    private readonly limiter: AttemptLimiter,
    private readonly recipients: RecipientLimiter,
    private readonly codeBudget: CodeBudget,
  ) {}

  /**
   * Sends a 6-digit code to the user `key` names, bound to the client and to the user's pending
   * /auth/login code for that client when there is one. Answers the same whether or not `key` is
   * known: nothing is sent for an unknown user, a user who is not a member of the client's tenant,
   * or one with an authenticator app (verify-otp checks their TOTP instead). Every request counts
   * against the account `key` names (RATE_LIMIT_PER_ADDRESS an hour), so nobody can flood an inbox.
   */
  async sendOtp(
    input: { clientId: string; clientSecret?: string; key: string; channel?: OtpChannel },
    ctx: RequestContext,
  ): Promise<void> {
    const client = await this.clients.authenticate(input.clientId, input.clientSecret, ctx.ip);
    const user = await this.users.findByLogin(input.key);
    // Every request counts against the account `key` names (username or email, any case, and its
    // phone: one budget), or against `key` itself when it names none: a 429 says nothing.
    await this.recipients.hit('email', input.key, user);
    if (!user || !(await this.memberships.find(user.id, client.tenantId))) return;
    // A user with a factor of their own (an authenticator or a passkey) is never sent a weaker one.
    if (await this.methods.hasSecondFactor(user.id)) return;
    const pending = await this.codes.latestPendingMfa(user.id, client.id);
    await this.db.transaction((tx) =>
      this.otps.send(tx, {
        user,
        clientId: client.id,
        purpose: 'login',
        pendingCodeId: pending?.id ?? null,
        channel: input.channel,
        appName: client.name,
      }),
    );
  }

  /** Trades a valid OTP, TOTP or recovery code for an auth code (see the class comment). */
  async verifyOtp(input: { key: string; otp: string }, ctx: RequestContext): Promise<string> {
    const user = await this.users.findByLogin(input.key);
    // A wrong code counts against the account the key names (username and email are one account).
    return this.limiter.guard(
      AttemptSubjects.of(user, input.key),
      ctx.ip,
      async () => {
        if (!user) throw OtpErrors.invalidOtp();
        return this.verifyFor(user.id, input.otp.trim(), ctx);
      },
      hasCode('INVALID_OTP'),
    );
  }

  private async verifyFor(userId: string, otp: string, ctx: RequestContext): Promise<string> {
    const pending = await this.codes.latestPendingMfa(userId);

    // A user with an authenticator app proves the second factor with it (or a recovery code),
    // counted against the one per-user budget of second factors; a user whose factors are
    // passkeys (which this route cannot check) only with a recovery code, never an emailed code. Without a pending login nobody
    // proved the password in this flow: nothing is checked, so this route cannot test codes
    // (API.md section 12), and such a user is sent no emailed codes.
    if (await this.methods.hasSecondFactor(userId)) {
      if (!pending) throw OtpErrors.invalidOtp();
      const attempt = await this.limiter.beginSecondFactor(userId);
      const code = await this.complete(pending.id, (tx) =>
        this.methods.verifyAnyCode(tx, userId, otp, { consume: true }),
      );
      if (!code) {
        await this.countPendingFailure(pending.id);
        throw OtpErrors.invalidOtp();
      }
      await attempt.succeeded();
      return code;
    }

    // An emailed or texted code (or the first code of an authenticator made by create-qr-code):
    // counted against the user's daily budget of codes and, as the second factor of a pending
    // login, against the budget of second factors.
    const attempt = await this.beginCodeAttempt(userId, Boolean(pending));

    // An authenticator made by create-qr-code is proven by the code that completes the login.
    if (pending && (await this.authenticators.pendingTotpId(userId))) {
      const code = await this.complete(pending.id, async (tx) =>
        (await this.authenticators.confirmPendingWithCode(tx, userId, otp)) ? 'TOTP' : null,
      );
      if (code) {
        await attempt.succeeded();
        return code;
      }
    }

    const sent = await this.otps.latestLive(userId, 'login');
    if (!sent || !this.otps.matches(sent, otp)) {
      if (sent) await this.otps.recordFailure(sent.id);
      if (pending && sent?.pendingCodeId !== pending.id) await this.countPendingFailure(pending.id);
      throw OtpErrors.invalidOtp();
    }
    // The code is right: it does not count, whatever is answered next.
    await attempt.succeeded();
    if (sent.pendingCodeId) {
      const code = await this.complete(sent.pendingCodeId, async (tx) =>
        (await this.otps.consume(tx, sent.id)) ? 'OTP' : null,
      );
      // The login it was sent for ended meanwhile (expired or burnt): the code is worth nothing.
      if (!code) throw OtpErrors.invalidOtp();
      return code;
    }
    return this.passwordless(userId, sent, ctx);
  }

  /**
   * Counts one emailed-code attempt before it is checked: against the budget of second factors
   * when it is the second factor of a pending login, then the user's daily code budget.
   */
  private beginCodeAttempt(userId: string, secondFactor: boolean): Promise<Attempt> {
    const budgets = [() => this.codeBudget.begin(userId)];
    if (secondFactor) budgets.unshift(() => this.limiter.beginSecondFactor(userId));
    return beginAll(...budgets);
  }

  /**
   * Without a pending login: a passwordless login for the code's client. Where MFA applies it is
   * refused (401 MFA_REQUIRED: start with the password), and the code is spent all the same: it
   * proved the mailbox once and cannot serve as anything else.
   */
  private async passwordless(
    userId: string,
    sent: { id: string; clientId: string },
    ctx: RequestContext,
  ): Promise<string> {
    const [user, client] = await Promise.all([
      this.users.findById(userId),
      this.clients.findById(sent.clientId),
    ]);
    if (!user || !client) throw OtpErrors.invalidOtp();
    if (this.mfaPolicy.isSecondFactorDue(user, client)) {
      const spent = await this.otps.consume(this.db, sent.id);
      throw spent ? Errors.mfaRequired() : OtpErrors.invalidOtp();
    }
    await this.memberships.requireActive(user.id, client.tenantId);
    return this.db.transaction(async (tx) => {
      if (!(await this.otps.consume(tx, sent.id))) throw OtpErrors.invalidOtp();
      const { code } = await this.codes.issueIn(tx, {
        client,
        userId: user.id,
        tenantId: client.tenantId,
        authMethod: 'OTP',
        deviceInfo: ctx.deviceId,
      });
      return code;
    });
  }

  /**
   * Runs `prove` and, when it holds, completes the pending code in the same transaction: a proof
   * is spent (TOTP step, recovery code, OTP) exactly when the full code is issued.
   */
  private async complete(
    pendingId: string,
    prove: (tx: Queryable) => Promise<string | null>,
  ): Promise<string | null> {
    try {
      return await this.db.transaction(async (tx) => {
        const authMethod = await prove(tx);
        if (!authMethod) throw new NoMatch();
        const issued = await this.codes.completeMfaIn(tx, pendingId, authMethod);
        if (!issued) throw new NoMatch();
        return issued.code;
      });
    } catch (err) {
      if (err instanceof NoMatch) return null;
      throw err;
    }
  }

  /** Counts a wrong second factor against a pending login; the fifth burns it. */
  private async countPendingFailure(pendingId: string): Promise<void> {
    const failed = await countPendingLoginFailure(this.db, pendingId);
    if (failed !== undefined && failed >= PENDING_LOGIN_MAX_FAILURES)
      await this.codes.burnPendingMfa(pendingId);
  }

  /** A live code of the client from /auth/login (pending or not), not spent by looking. */
  private liveCode(code: string, clientId: string, ctx: RequestContext): Promise<PendingCode> {
    return this.limiter.guard(IpOnly.token, ctx.ip, async () => {
      const found = await this.codes.findLive(code, clientId);
      if (!found) throw Errors.invalidCode();
      return found;
    });
  }

  /** Whether the user of a login code has a confirmed authenticator app. */
  async checkQrCode(code: string, clientId: string, ctx: RequestContext): Promise<boolean> {
    const found = await this.liveCode(code, clientId, ctx);
    return this.authenticators.hasConfirmedTotp(found.userId);
  }

  /**
   * A new (pending) authenticator secret for the user of a login code, as a QR PNG data URL.
   * It is confirmed by the verify-otp that completes the login. 409 when one is confirmed already.
   */
  async createQrCode(code: string, clientId: string, ctx: RequestContext): Promise<string> {
    const found = await this.liveCode(code, clientId, ctx);
    const user = await this.users.findById(found.userId);
    if (!user) throw Errors.invalidCode();
    const setup = await this.authenticators.startTotp({ user, tenantId: found.tenantId, onlyIfNone: true });
    return setup.qrCode;
  }
}
