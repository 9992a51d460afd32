import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryableOf } from '../database/typeorm-bridge.js';
import { AppError } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { AttemptLimiter, AttemptSubjects, IpOnly } from '../common/rate-limit/attempt-limiter.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { ClientsService } from '../identity/clients.service.js';
import { CodeBudget } from '../identity/credentials/code-budget.js';
import { PasswordPolicy } from '../identity/credentials/password-policy.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { UsersService } from '../identity/users.service.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { RecipientLimiter } from '../notifications/recipient-limiter.js';
import { OneTimeRecord, OneTimeTokensService } from '../tokens/one-time-tokens.service.js';
import { SessionsService } from '../tokens/sessions.service.js';

export const RECOVERY_PURPOSE = 'recovery-email';
/** The headless recovery link lives an hour (API.md section 0). */
export const RECOVERY_TTL_S = 3600;

interface RecoveryData {
  redirectUrl: string;
  /** Where the link was mailed (links from before this was kept have none): using it proves it. */
  email?: string;
}

export const invalidRedirect = (message: string) => new AppError(400, 'INVALID_REDIRECT', message);
export const invalidRecoveryToken = () =>
  new AppError(401, 'INVALID_TOKEN', 'The recovery link is invalid, expired or already used');

/**
 * The headless password recovery of API.md section 7: a mailed link to the service's own hosted
 * form, a single-use token (one hour, stored hashed), the password rules of section 3, every
 * session of the member ended, and the member sent on to the client's registered `redirect.url`.
 */
@Injectable()
export class RecoveryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
    private readonly policy: PasswordPolicy,
    private readonly oneTime: OneTimeTokensService,
    private readonly sessions: SessionsService,
    private readonly outbox: OutboxService,
    private readonly recipients: RecipientLimiter,
    private readonly limiter: AttemptLimiter,
    private readonly codeBudget: CodeBudget,
  ) {}

  /** Mails the link when the email belongs to a member of the client's tenant; the answer is the same either way. */
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
    if (!user?.email || !(await this.memberships.find(user.id, client.tenantId))) return;
    await this.dataSource.transaction(async (m) => {
      await this.oneTime.revokeAll(RECOVERY_PURPOSE, user.id, m);
      const { token } = await this.oneTime.issue(
        {
          purpose: RECOVERY_PURPOSE,
          ttlSeconds: RECOVERY_TTL_S,
          userId: user.id,
          clientId: client.id,
          tenantId: client.tenantId,
          data: { redirectUrl: input.redirect.url, email: user.email! } satisfies RecoveryData,
        },
        m,
      );
      await this.outbox.enqueue(m, {
        channel: 'email',
        to: user.email!,
        template: 'recovery-email',
        data: {
          link: `${this.config.publicUrl}/auth/v2/recovery?token=${encodeURIComponent(token)}`,
          expiresInMinutes: String(RECOVERY_TTL_S / 60),
          appName: client.name,
        },
      });
    });
  }

  /** The live link, not spent (the hosted form is shown only for one). */
  async find(token: unknown): Promise<OneTimeRecord<RecoveryData> | null> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return null;
    return this.oneTime.peek<RecoveryData>(RECOVERY_PURPOSE, token);
  }

  /**
   * The link's `redirect.url` must still be one of its client's registered redirect URLs when the
   * link is used (API.md section 12, "Recovery targets"): a URL removed from the client since the
   * mail was sent is 400 INVALID_REDIRECT, and nothing is spent (the link works again if the URL
   * is registered again).
   */
  async assertTargetStillRegistered(record: OneTimeRecord<RecoveryData>): Promise<void> {
    const client = record.clientId ? await this.clients.findById(record.clientId) : null;
    if (!client || !client.redirectUrls.includes(record.data.redirectUrl)) {
      throw invalidRedirect(
        "The page this link returns to is no longer one of the application's registered redirect URLs",
      );
    }
  }

  /**
   * Sets the new password: the token is checked and the password judged before anything is spent
   * (a refused request spends nothing), and its redirect URL must still be registered for its
   * client; then, in one transaction, the token is spent, the password set, the address the link
   * was mailed to marked proven, every session of the member ended and a "password changed"
   * notice queued. Answers where the member goes next.
   */
  async reset(token: string, password: string, ctx: RequestContext): Promise<string> {
    const { record, user } = await this.limiter.guard(IpOnly.token, ctx.ip, async () => {
      const found = await this.find(token);
      const owner = found?.userId ? await this.users.findById(found.userId) : null;
      if (!found || !owner) throw invalidRecoveryToken();
      return { record: found, user: owner };
    });
    await this.assertTargetStillRegistered(record);
    this.policy.assertAcceptable(password, { username: user.username, email: user.email });
    await this.dataSource.transaction(async (m) => {
      if (!(await this.oneTime.consumeById(record.id, m))) throw invalidRecoveryToken();
      const tx = queryableOf(m);
      await this.users.setPassword(tx, user.id, password);
      if (record.data.email) await this.users.markEmailVerified(tx, user.id, record.data.email);
      await this.oneTime.revokeAll(RECOVERY_PURPOSE, user.id, m);
      await this.sessions.endAllForUser(user.id, { reason: 'password_reset' }, m);
      await this.codeBudget.restoreIn(tx, user.id);
      if (user.email) {
        const client = record.clientId ? await this.clients.findById(record.clientId) : null;
        await this.outbox.enqueue(m, {
          channel: 'email',
          to: user.email,
          template: 'password-changed',
          data: client ? { appName: client.name } : {},
        });
      }
    });
    return record.data.redirectUrl;
  }
}
