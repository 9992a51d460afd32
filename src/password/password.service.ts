import { Injectable } from '@nestjs/common';
import { Db } from '../database/db.js';
import { Errors } from '../common/errors/app-error.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import type { RequestContext } from '../common/http/request-context.js';
import { CredentialCheck } from '../identity/credentials/credential-check.js';
import { PasswordHasher } from '../identity/credentials/password-hasher.js';
import { PasswordPolicy } from '../identity/credentials/password-policy.js';
import { MfaPolicy } from '../identity/mfa-policy.js';
import { UsersService } from '../identity/users.service.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { AuthCodesService } from '../tokens/auth-codes.service.js';
import { IssuedTokens, SessionsService } from '../tokens/sessions.service.js';
import type { PasswordLogin } from './password-login.service.js';

/** Password login (code or tokens) and password change. */
@Injectable()
export class PasswordService {
  constructor(
    private readonly credentials: CredentialCheck,
    private readonly users: UsersService,
    private readonly policy: PasswordPolicy,
    private readonly mfa: MfaPolicy,
    private readonly codes: AuthCodesService,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly outbox: OutboxService,
    private readonly db: Db,
  ) {}

  /** An auth code; when MFA is due the code is marked pending and /auth/token refuses it until verify-otp. */
  async issueCode(
    login: PasswordLogin,
    pkce: { codeChallenge?: string; codeChallengeMethod?: string },
    ctx: RequestContext,
  ): Promise<string> {
    const { code } = await this.codes.issue({
      client: login.client,
      userId: login.user.id,
      tenantId: login.client.tenantId,
      authMethod: 'PASSWORD',
      mfaPending: this.mfa.isSecondFactorDue(login.user, login.client),
      codeChallenge: pkce.codeChallenge,
      codeChallengeMethod: pkce.codeChallengeMethod,
      deviceInfo: ctx.deviceId,
    });
    return code;
  }

  /** Tokens straight away; refused with 401 MFA_REQUIRED when a second factor is due. */
  async issueTokens(login: PasswordLogin, ctx: RequestContext): Promise<IssuedTokens> {
    if (this.mfa.isSecondFactorDue(login.user, login.client)) throw Errors.mfaRequired();
    return this.sessions.start({
      userId: login.user.id,
      tenantId: login.client.tenantId,
      client: login.client,
      authMethod: 'PASSWORD',
      ctx,
      permissions: login.permissions,
    });
  }

  /**
   * Changes the caller's password. `username` must be the caller's own; the old password must
   * match; the new one must pass the policy. Every other session of the user ends; the session of
   * `refreshToken` stays logged in; a "your password was changed" mail is queued.
   */
  async changePassword(
    auth: AuthClaims,
    input: { refreshToken: string; username: string; password: string; oldPassword: string },
    ctx: RequestContext,
  ): Promise<void> {
    const user = await this.users.findById(auth.sub);
    if (!user) throw Errors.unauthorized();
    const claimed = input.username.toLowerCase();
    if (claimed !== user.username?.toLowerCase() && claimed !== user.email?.toLowerCase())
      throw Errors.forbidden();
    await this.credentials.confirm(user, input.oldPassword, ctx.ip);
    const session = await this.sessions.findLiveSessionByRefreshToken(input.refreshToken);
    if (!session || session.userId !== user.id) throw Errors.invalidRefreshToken();
    await this.policy.assertAcceptable(input.password, { username: user.username, email: user.email });
    const passwordHash = await this.hasher.hash(input.password);
    // One transaction: the new password, the end of the other sessions and the notice mail
    // happen together or not at all.
    await this.db.transaction(async (tx) => {
      await this.users.setPasswordHash(tx, user.id, passwordHash);
      await this.sessions.endAllForUserIn(tx, user.id, {
        reason: 'password_changed',
        exceptSessionId: session.id,
      });
      if (user.email) {
        await this.outbox.enqueue(tx, {
          channel: 'email',
          to: user.email,
          template: 'password-changed',
          data: {},
        });
      }
    });
  }
}
