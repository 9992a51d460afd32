import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { AttemptLimiter, AttemptSubjects } from '../common/rate-limit/attempt-limiter.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { ClientsService } from '../identity/clients.service.js';
import type { AuthClient } from '../identity/identity.types.js';
import { UsersService } from '../identity/users.service.js';
import { RecipientLimiter } from '../notifications/recipient-limiter.js';
import type { OneTimeRecord } from '../tokens/one-time-tokens.service.js';
import { PasswordResetService, ResetFlow, ResetLinkData } from './password-reset.service.js';

export const RECOVERY_PURPOSE = 'recovery-email';
/** The headless recovery link lives an hour (API.md section 0). */
export const RECOVERY_TTL_S = 3600;

interface RecoveryData extends ResetLinkData {
  redirectUrl: string;
}

export const invalidRedirect = (message: string) => new AppError(400, 'INVALID_REDIRECT', message);
export const invalidRecoveryToken = () =>
  new AppError(401, 'INVALID_TOKEN', 'The recovery link is invalid, expired or already used');

const FLOW: ResetFlow = {
  purpose: RECOVERY_PURPOSE,
  ttlSeconds: RECOVERY_TTL_S,
  template: 'recovery-email',
  invalidToken: invalidRecoveryToken,
};

/**
 * The headless password recovery of API.md section 7: a mailed link to the service's own hosted
 * form, and the member sent on to the client's registered `redirect.url` once the new password is
 * set. The link, its decoy for unknown addresses and the reset itself (single use, every session
 * ended, a "password changed" notice) are PasswordResetService's, shared with section 3's reset.
 */
@Injectable()
export class HeadlessRecoveryService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly recipients: RecipientLimiter,
    private readonly limiter: AttemptLimiter,
    private readonly resets: PasswordResetService,
  ) {}

  /**
   * Mails the link when the email belongs to a member of the client's tenant; anyone else gets no
   * mail, after the same work. The answer is the same either way.
   */
  async sendEmail(
    input: { email: string; redirect: { url: string; clientId: string } },
    ctx: RequestContext,
  ): Promise<void> {
    const client = await this.clients.findByClientId(input.redirect.clientId);
    if (!client) throw invalidRedirect('Unknown redirect.clientId');
    if (!client.redirectUrls.includes(input.redirect.url)) {
      throw invalidRedirect("redirect.url is not one of the client's registered redirect URLs");
    }
    const email = input.email.trim();
    const user = await this.users.findByEmail(email);
    // Counted for every address, known or not, so a 429 says nothing about who has an account.
    await this.recipients.hit('email', email, user);
    // Every request counts (never taken back) against the address from this IP as well.
    await this.limiter.begin(AttemptSubjects.name(email), ctx.ip);
    await this.resets.mailLink<RecoveryData>(FLOW, {
      client,
      user,
      address: email,
      data: (to) => ({ redirectUrl: input.redirect.url, email: to }),
      link: (token) => `${this.config.publicUrl}/auth/v2/recovery?token=${encodeURIComponent(token)}`,
    });
  }

  /** The live link, not spent (the hosted form is shown only for one). */
  async find(token: unknown): Promise<OneTimeRecord<RecoveryData> | null> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return null;
    return this.resets.find<RecoveryData>(FLOW, token);
  }

  /**
   * The link's `redirect.url` must still be one of its client's registered redirect URLs when the
   * link is used (API.md section 12, "Recovery targets"): a URL removed from the client since the
   * mail was sent is 400 INVALID_REDIRECT, and nothing is spent (the link works again if the URL
   * is registered again). Answers the client.
   */
  async assertTargetStillRegistered(record: OneTimeRecord<RecoveryData>): Promise<AuthClient> {
    const client = record.clientId ? await this.clients.findById(record.clientId) : null;
    if (!client || !client.redirectUrls.includes(record.data.redirectUrl)) {
      throw invalidRedirect(
        "The page this link returns to is no longer one of the application's registered redirect URLs",
      );
    }
    return client;
  }

  /**
   * Sets the new password: the token is checked, its redirect URL must still be registered for its
   * client, then PasswordResetService.reset (a refused password spends nothing). Answers where the
   * member goes next.
   */
  async reset(token: string, password: string, ctx: RequestContext): Promise<string> {
    const link = await this.resets.open<RecoveryData>(FLOW, token, ctx.ip);
    const client = await this.assertTargetStillRegistered(link.record);
    await this.resets.reset(FLOW, link, password, { appName: client.name });
    return link.record.data.redirectUrl;
  }
}
