import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { AttemptLimiter, AttemptSubjects, hasCode, IpOnly } from '../common/rate-limit/attempt-limiter.js';
import { firstRow } from '../database/sql.js';
import { ClientsService } from '../identity/clients.service.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { MfaPolicy } from '../identity/mfa-policy.js';
import { UsersService } from '../identity/users.service.js';
import { RecipientLimiter } from '../notifications/recipient-limiter.js';
import { AuthCodesService, PendingCode } from '../tokens/auth-codes.service.js';
import type { OtpChannel } from './entities/otp-code.entity.js';
import { MfaMethodsService } from './mfa-methods.service.js';
import { OtpCodesService } from './otp-codes.service.js';
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
 */
@Injectable()
export class OtpLoginService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
    private readonly mfaPolicy: MfaPolicy,
    private readonly codes: AuthCodesService,
    private readonly otps: OtpCodesService,
    private readonly methods: MfaMethodsService,
    private readonly limiter: AttemptLimiter,
    private readonly recipients: RecipientLimiter,
  ) {}

  /**
   * Sends a 6-digit code to the user `key` names, bound to the client and to the user's pending
   * /auth/login code for that client when there is one. Answers the same whether or not `key` is
   * known: nothing is sent for an unknown user, a user who is not a member of the client's tenant,
   * or one with an authenticator app (verify-otp checks their TOTP instead). Every request counts
   * against `key` (RATE_LIMIT_PER_ADDRESS an hour), so nobody can flood an inbox.
   */
  async sendOtp(
    input: { clientId: string; clientSecret?: string; key: string; channel?: OtpChannel },
    ctx: RequestContext,
  ): Promise<void> {
    const client = await this.clients.authenticate(input.clientId, input.clientSecret, ctx.ip);
    // Every request naming `key` counts, known or not: a 429 says nothing about the account.
    await this.recipients.hit('email', input.key);
    const user = await this.users.findByLogin(input.key);
    if (!user || !(await this.memberships.find(user.id, client.tenantId))) return;
    if (await this.methods.hasConfirmedTotp(user.id)) return;
    const pending = await this.codes.latestPendingMfa(user.id, client.id);
    await this.otps.send({
      user,
      clientId: client.id,
      purpose: 'login',
      pendingCodeId: pending?.id ?? null,
      channel: input.channel,
      appName: client.name,
    });
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
    const failed = async (count?: () => Promise<unknown>) => {
      await count?.();
      return OtpErrors.invalidOtp();
    };
    const user = { id: userId };
    const pending = await this.codes.latestPendingMfa(user.id);

    // A user with an authenticator app proves the second factor with it (or a recovery code),
    // counted against the one per-user budget of second factors.
    if (await this.methods.hasConfirmedTotp(user.id)) {
      const attempt = await this.limiter.beginSecondFactor(user.id);
      if (!pending) {
        // The code is checked (not spent) first, so the answer says nothing to someone without it.
        if (await this.methods.verifyAnyCode(user.id, otp, { consume: false })) {
          await attempt.succeeded();
          throw Errors.mfaRequired();
        }
        throw await failed();
      }
      const code = await this.complete(pending.id, (m) =>
        this.methods.verifyAnyCode(user.id, otp, { consume: true }, m),
      );
      if (!code) throw await failed(() => this.countPendingFailure(pending.id));
      await attempt.succeeded();
      return code;
    }

    // An authenticator made by create-qr-code is proven by the code that completes the login.
    if (pending && (await this.methods.pendingTotpId(user.id))) {
      const code = await this.complete(pending.id, async (m) =>
        (await this.methods.confirmPendingWithCode(user.id, otp, m)) ? 'TOTP' : null,
      );
      if (code) return code;
    }

    const sent = await this.otps.latestLive(user.id, 'login');
    if (!sent || !this.otps.matches(sent, otp)) {
      throw await failed(async () => {
        if (sent) await this.otps.recordFailure(sent.id);
        if (pending && sent?.pendingCodeId !== pending.id) await this.countPendingFailure(pending.id);
      });
    }
    if (sent.pendingCodeId) {
      const code = await this.complete(sent.pendingCodeId, async (m) =>
        (await this.otps.consume(sent.id, m)) ? 'OTP' : null,
      );
      // The login it was sent for ended meanwhile (expired or burnt): the code is worth nothing.
      if (!code) throw OtpErrors.invalidOtp();
      return code;
    }
    return this.passwordless(user.id, sent, ctx);
  }

  /** Without a pending login: a passwordless login for the code's client, unless MFA applies. */
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
    if (this.mfaPolicy.isSecondFactorDue(user, client)) throw Errors.mfaRequired();
    await this.memberships.requireActive(user.id, client.tenantId);
    return this.dataSource.transaction(async (m) => {
      if (!(await this.otps.consume(sent.id, m))) throw OtpErrors.invalidOtp();
      const { code } = await this.codes.issue(
        { client, userId: user.id, tenantId: client.tenantId, authMethod: 'OTP', deviceInfo: ctx.deviceId },
        m,
      );
      return code;
    });
  }

  /**
   * Runs `prove` and, when it holds, completes the pending code in the same transaction: a proof
   * is spent (TOTP step, recovery code, OTP) exactly when the full code is issued.
   */
  private async complete(
    pendingId: string,
    prove: (m: EntityManager) => Promise<string | null>,
  ): Promise<string | null> {
    try {
      return await this.dataSource.transaction(async (m) => {
        const authMethod = await prove(m);
        if (!authMethod) throw new NoMatch();
        const issued = await this.codes.completeMfa(pendingId, authMethod, m);
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
    const row = await firstRow<{ failed_attempts: number }>(
      this.dataSource.manager,
      `INSERT INTO pending_login_failure (auth_code_id, failed_attempts) VALUES ($1, 1)
       ON CONFLICT (auth_code_id) DO UPDATE SET failed_attempts = pending_login_failure.failed_attempts + 1
       RETURNING failed_attempts`,
      [pendingId],
    );
    if (row && row.failed_attempts >= PENDING_LOGIN_MAX_FAILURES) await this.codes.burnPendingMfa(pendingId);
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
    return this.methods.hasConfirmedTotp(found.userId);
  }

  /**
   * A new (pending) authenticator secret for the user of a login code, as a QR PNG data URL.
   * It is confirmed by the verify-otp that completes the login. 409 when one is confirmed already.
   */
  async createQrCode(code: string, clientId: string, ctx: RequestContext): Promise<string> {
    const found = await this.liveCode(code, clientId, ctx);
    const user = await this.users.findById(found.userId);
    if (!user) throw Errors.invalidCode();
    const setup = await this.methods.startTotp({ user, tenantId: found.tenantId, onlyIfNone: true });
    return setup.qrCode;
  }
}
