import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { queryableOf } from '../database/typeorm-bridge.js';
import { Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { AttemptLimiter, IpOnly } from '../common/rate-limit/attempt-limiter.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { CodeBudget } from '../identity/credentials/code-budget.js';
import { PasswordHasher } from '../identity/credentials/password-hasher.js';
import { PasswordPolicy } from '../identity/credentials/password-policy.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { UsersService } from '../identity/users.service.js';
import { clientLink } from '../notifications/links.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { RecipientLimiter } from '../notifications/recipient-limiter.js';
import { OneTimeTokensService } from '../tokens/one-time-tokens.service.js';
import { SessionsService } from '../tokens/sessions.service.js';
import { PasswordLoginService } from './password-login.service.js';

/** Reset links live 30 minutes (API.md section 0). */
export const RESET_TOKEN_TTL_S = 30 * 60;
const PURPOSE = 'reset-password';

interface ResetData {
  /** Where the link was mailed (links from before this was kept have none). */
  email?: string;
}

/**
 * Forgot / reset password (API.md section 3). Reset links are one-time tokens (stored hashed)
 * bound to the client that asked for them; a new link voids older ones; a reset ends every
 * session of the user. The mail is written to the outbox in the same transaction as the token.
 */
@Injectable()
export class PasswordRecoveryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logins: PasswordLoginService,
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
    private readonly policy: PasswordPolicy,
    private readonly hasher: PasswordHasher,
    private readonly tokens: OneTimeTokensService,
    private readonly sessions: SessionsService,
    private readonly outbox: OutboxService,
    private readonly recipients: RecipientLimiter,
    private readonly limiter: AttemptLimiter,
    private readonly codeBudget: CodeBudget,
  ) {}

  /**
   * Mails a reset link to a member of the client's tenant that has an email; anyone else gets no
   * mail. Both cases do the same work (two lookups, one transaction writing a token row and one
   * outbox round trip), so neither the answer nor its timing tells whether the account exists.
   */
  async forgetPassword(
    input: { username: string; client_id: string; client_secret?: string },
    ctx: RequestContext,
  ): Promise<void> {
    const client = await this.logins.authenticateClient(input.client_id, input.client_secret, ctx);
    const user = await this.users.findByLogin(input.username);
    await this.recipients.hit('email', input.username, user);
    // Only members of the client's tenant: a client of another tenant must not be able to send
    // this user a link that opens its own app (and so receive the user's reset token).
    const membership = await this.memberships.find(user?.id ?? randomUUID(), client.tenantId);
    const recipient = user && membership && user.email ? { id: user.id, email: user.email } : null;

    await this.dataSource.transaction(async (m) => {
      // Unknown users get a decoy: a token row nobody ever sees (purged after expiry) and a
      // rehearsed outbox insert that writes nothing.
      await this.tokens.revokeAll(PURPOSE, recipient?.id ?? randomUUID(), m);
      const { token } = await this.tokens.issue(
        {
          purpose: PURPOSE,
          ttlSeconds: RESET_TOKEN_TTL_S,
          userId: recipient?.id ?? null,
          clientId: client.id,
          tenantId: client.tenantId,
          // The address the link goes to: using the link proves it (section 12, proven email).
          data: { email: recipient?.email ?? input.username } satisfies ResetData,
        },
        m,
      );
      const message = {
        channel: 'email' as const,
        to: recipient?.email ?? input.username,
        template: 'reset-password' as const,
        data: {
          link: clientLink(client, 'reset-password', token, this.config.publicUrl),
          expiresInMinutes: String(RESET_TOKEN_TTL_S / 60),
          appName: client.name,
        },
      };
      if (recipient) await this.outbox.enqueue(m, message);
      else await this.outbox.rehearse(m, message);
    });
  }

  /** Whether a reset link is live (unused, unexpired, for a user). Bad tokens count per IP. */
  async verifyResetLink(token: string, ctx: RequestContext): Promise<void> {
    await this.limiter.guard(IpOnly.token, ctx.ip, async () => {
      const record = await this.tokens.peek(PURPOSE, token);
      if (!record?.userId) throw Errors.invalidToken();
    });
  }

  /**
   * Sets a new password with a reset link of this client. The token is spent only when the reset
   * succeeds (a weak password leaves it usable); every session of the user ends, every other reset
   * link is voided, the email the link was mailed to counts as proven, and a "password changed" mail
   * is queued, all in one transaction.
   */
  async resetPassword(
    input: { token: string; password: string; client_id: string; client_secret?: string },
    ctx: RequestContext,
  ): Promise<void> {
    const client = await this.logins.authenticateClient(input.client_id, input.client_secret, ctx);
    const { record, user } = await this.limiter.guard(IpOnly.token, ctx.ip, async () => {
      const found = await this.tokens.peek<ResetData>(PURPOSE, input.token);
      const owner =
        found?.userId && found.clientId === client.id ? await this.users.findById(found.userId) : null;
      if (!found || !owner) throw Errors.invalidToken();
      return { record: found, user: owner };
    });
    this.policy.assertAcceptable(input.password, { username: user.username, email: user.email });
    const passwordHash = await this.hasher.hash(input.password);
    await this.dataSource.transaction(async (m) => {
      // Conditional on the token still being live: of two concurrent resets, one wins.
      if (!(await this.tokens.consumeById(record.id, m))) throw Errors.invalidToken();
      await this.users.setPasswordHash(queryableOf(m), user.id, passwordHash);
      // The link reached the mailbox it was sent to: that address is proven, if still the user's.
      if (record.data.email) await this.users.markEmailVerified(queryableOf(m), user.id, record.data.email);
      await this.tokens.revokeAll(PURPOSE, user.id, m);
      await this.sessions.endAllForUser(user.id, { reason: 'password_reset' }, m);
      await this.codeBudget.restoreIn(queryableOf(m), user.id);
      if (user.email) {
        await this.outbox.enqueue(m, {
          channel: 'email',
          to: user.email,
          template: 'password-changed',
          data: { appName: client.name },
        });
      }
    });
  }
}
