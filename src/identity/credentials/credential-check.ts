import { Inject, Injectable, Optional } from '@nestjs/common';
import { Errors } from '../../common/errors/app-error.js';
import { AttemptLimiter, AttemptSubjects } from '../../common/rate-limit/attempt-limiter.js';
import type { User } from '../identity.types.js';
import { UsersService } from '../users.service.js';
import { CodeBudget } from './code-budget.js';
import { LOGIN_FAILURE_SINK, LoginFailureSink } from './login-failures.js';

/**
 * The one password check of every login path (password login, the hosted login page, headless
 * login, the password grant, change password, MFA settings): count the attempt against the
 * account the login names (username and email in any case are one account; an unknown name counts
 * as itself), verify the password with constant work for unknown users, and take the attempt back
 * when it matched. The account's status is never looked at here: callers check it only after the
 * password matched, so a wrong password says nothing about the account.
 */
@Injectable()
export class CredentialCheck {
  constructor(
    private readonly users: UsersService,
    private readonly limiter: AttemptLimiter,
    private readonly codeBudget: CodeBudget,
    @Optional() @Inject(LOGIN_FAILURE_SINK) private readonly failures?: LoginFailureSink,
  ) {}

  /**
   * Signs in with a login (username or email; `byEmail` looks at the email only) and a password.
   * Answers the user; 401 INVALID_CREDENTIALS or 429 otherwise. A successful sign-in restores the
   * user's daily budget of emailed codes (API.md section 12). `tenantId` (the tenant of the client
   * signed in to) has a wrong password counted in that tenant's failed-login report.
   */
  async signIn(
    login: string,
    password: string,
    ip: string,
    options: { byEmail?: boolean; tenantId?: string } = {},
  ): Promise<User> {
    const found = await this.users.findForSignIn(login, options.byEmail);
    const user = found?.user ?? null;
    const attempt = await this.limiter.begin(AttemptSubjects.of(user, login), ip);
    if (!(await this.users.verifyCredential(found?.credential, password)) || !user) {
      if (options.tenantId) this.failures?.record({ tenantId: options.tenantId, authMethod: 'PASSWORD' });
      throw Errors.invalidCredentials();
    }
    await attempt.succeeded();
    // Most users have no budget row: no write then. One counted while this sign-in ran stays
    // counted, as if it had come just after the sign-in.
    if (found!.codeBudgetKept) await this.codeBudget.restore(user.id);
    return user;
  }

  /** Re-checks the password of a known user (change password, MFA settings): 401 or 429 otherwise. */
  async confirm(user: User, password: string, ip: string): Promise<void> {
    const attempt = await this.limiter.begin(AttemptSubjects.account(user.id), ip);
    if (!(await this.users.verifyPassword(user, password))) throw Errors.invalidCredentials();
    await attempt.succeeded();
  }
}
