import { Inject, Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { UsersService } from '../identity/users.service.js';
import { clientLink } from '../notifications/links.js';
import { RecipientLimiter } from '../notifications/recipient-limiter.js';
import { PasswordLoginService } from './password-login.service.js';
import { PasswordResetService, ResetFlow, ResetLinkData } from './password-reset.service.js';

/** Reset links live 30 minutes (API.md section 0). */
export const RESET_TOKEN_TTL_S = 30 * 60;

const FLOW: ResetFlow = {
  purpose: 'reset-password',
  ttlSeconds: RESET_TOKEN_TTL_S,
  template: 'reset-password',
  invalidToken: () => Errors.invalidToken(),
};

/**
 * Forgot / reset password (API.md section 3): the client authenticates itself, the link opens the
 * client's own reset page and works only with that client. The link, its decoy for unknown
 * accounts and the reset itself are PasswordResetService's, shared with the headless recovery.
 */
@Injectable()
export class PasswordRecoveryService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logins: PasswordLoginService,
    private readonly users: UsersService,
    private readonly recipients: RecipientLimiter,
    private readonly resets: PasswordResetService,
  ) {}

  /**
   * Mails a reset link to a member of the client's tenant that has an email (`username` is a
   * username or an email); anyone else gets no mail, after the same work.
   */
  async forgetPassword(
    input: { username: string; client_id: string; client_secret?: string },
    ctx: RequestContext,
  ): Promise<void> {
    const client = await this.logins.authenticateClient(input.client_id, input.client_secret, ctx);
    const user = await this.users.findByLogin(input.username);
    await this.recipients.hit('email', input.username, user);
    await this.resets.mailLink<ResetLinkData>(FLOW, {
      client,
      user,
      address: input.username,
      // The address the link goes to: using the link proves it (section 12, proven email).
      data: (email) => ({ email }),
      link: (token) => clientLink(client, 'reset-password', token, this.config.publicUrl),
    });
  }

  /** Whether a reset link is live (unused, unexpired, for a user). Bad tokens count per IP. */
  async verifyResetLink(token: string, ctx: RequestContext): Promise<void> {
    await this.resets.assertLive(FLOW, token, ctx.ip);
  }

  /**
   * Sets a new password with a reset link of this client (PasswordResetService.reset: a weak
   * password leaves the link usable; every session of the user ends; a notice is mailed).
   */
  async resetPassword(
    input: { token: string; password: string; client_id: string; client_secret?: string },
    ctx: RequestContext,
  ): Promise<void> {
    const client = await this.logins.authenticateClient(input.client_id, input.client_secret, ctx);
    const link = await this.resets.open<ResetLinkData>(
      FLOW,
      input.token,
      ctx.ip,
      (record) => record.clientId === client.id,
    );
    await this.resets.reset(FLOW, link, input.password, { appName: client.name });
  }
}
