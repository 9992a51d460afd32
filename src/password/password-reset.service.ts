import { Injectable } from '@nestjs/common';
import { Db } from '../database/db.js';
import { randomUUID } from 'node:crypto';
import type { AppError } from '../common/errors/app-error.js';
import { AttemptLimiter, IpOnly } from '../common/rate-limit/attempt-limiter.js';
import { CodeBudget } from '../identity/credentials/code-budget.js';
import { PasswordHasher } from '../identity/credentials/password-hasher.js';
import { PasswordPolicy } from '../identity/credentials/password-policy.js';
import type { AuthClient, User } from '../identity/identity.types.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { UsersService } from '../identity/users.service.js';
import { OutboxService } from '../notifications/outbox.service.js';
import type { TemplateName } from '../notifications/outbox.types.js';
import { OneTimePurpose, OneTimeRecord, OneTimeTokensService } from '../tokens/one-time-tokens.service.js';
import { SessionsService } from '../tokens/sessions.service.js';

/** What every reset link keeps with its token. */
export interface ResetLinkData {
  /** Where the link was mailed (links from before this was kept have none): using it proves it. */
  email?: string;
}

/**
 * What tells the two password-reset flows apart: the forgot / reset password of API.md section 3
 * and the headless recovery of section 7. Everything else is the same for both.
 */
export interface ResetFlow {
  /** The one-time token purpose of the flow's links. */
  purpose: OneTimePurpose;
  ttlSeconds: number;
  /** The mail carrying the link. */
  template: TemplateName;
  /** The error a bad, spent or expired link answers. */
  invalidToken: () => AppError;
}

/** A live reset link and the user it resets. */
export interface OpenedLink<D extends ResetLinkData> {
  record: OneTimeRecord<D>;
  user: User;
}

/**
 * The one password reset behind both flows. Mailing a link does the same work whether or not the
 * address belongs to a member of the client's tenant (a membership lookup, one transaction writing
 * a token row, an outbox round trip), so neither the answer nor its timing tells whether the
 * account exists. Links are one-time tokens (stored hashed, single use, the flow's TTL); a new
 * link voids older ones. A reset spends the link, sets the password, proves the address the link
 * was mailed to, voids the user's other links, ends every session of the user, restores the daily
 * code budget and mails a "password changed" notice, all in one transaction.
 */
@Injectable()
export class PasswordResetService {
  constructor(
    private readonly db: Db,
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
    private readonly policy: PasswordPolicy,
    private readonly hasher: PasswordHasher,
    private readonly tokens: OneTimeTokensService,
    private readonly sessions: SessionsService,
    private readonly outbox: OutboxService,
    private readonly limiter: AttemptLimiter,
    private readonly codeBudget: CodeBudget,
  ) {}

  /**
   * Mails a link to `user` when it is a member of the client's tenant with an email; anyone else
   * (`user` null included) gets a decoy: a token row nobody ever sees (purged after expiry) and a
   * rehearsed outbox insert that writes nothing, addressed to `address` as the request spelled it.
   */
  async mailLink<D extends ResetLinkData>(
    flow: ResetFlow,
    request: {
      client: AuthClient;
      user: User | null;
      address: string;
      /** The data kept with the token, given the address the link goes to. */
      data: (email: string) => D;
      /** The link of the mail, given the token. */
      link: (token: string) => string;
    },
  ): Promise<void> {
    const { client, user } = request;
    // Only members of the client's tenant: a client of another tenant must not be able to send
    // this user a link that opens its own app (and so receive the user's reset token).
    const membership = await this.memberships.find(user?.id ?? randomUUID(), client.tenantId);
    const recipient = user && membership && user.email ? { id: user.id, email: user.email } : null;
    const to = recipient?.email ?? request.address;
    await this.db.transaction(async (tx) => {
      await this.tokens.revokeAllIn(tx, flow.purpose, recipient?.id ?? randomUUID());
      const { token } = await this.tokens.issueIn(tx, {
        purpose: flow.purpose,
        ttlSeconds: flow.ttlSeconds,
        userId: recipient?.id ?? null,
        clientId: client.id,
        tenantId: client.tenantId,
        data: request.data(to) as Record<string, unknown>,
      });
      const message = {
        channel: 'email' as const,
        to,
        template: flow.template,
        data: {
          link: request.link(token),
          expiresInMinutes: String(flow.ttlSeconds / 60),
          appName: client.name,
        },
      };
      if (recipient) await this.outbox.enqueue(tx, message);
      else await this.outbox.rehearse(tx, message);
    });
  }

  /** The live link of `token` (unused, unexpired, for a user), not spent; null otherwise. */
  async find<D extends ResetLinkData>(flow: ResetFlow, token: string): Promise<OneTimeRecord<D> | null> {
    const record = await this.tokens.peek<D>(flow.purpose, token);
    return record?.userId ? record : null;
  }

  /** Whether `token` is a live link; bad tokens count per IP (429 past the limit). */
  async assertLive(flow: ResetFlow, token: string, ip: string): Promise<void> {
    await this.limiter.guard(IpOnly.token, ip, async () => {
      if (!(await this.find(flow, token))) throw flow.invalidToken();
    });
  }

  /**
   * The live link of `token` and its user, when `accept` (the flow's own condition, e.g. the
   * client that asked for it) holds; else the flow's invalid-token error. Bad tokens count per IP.
   */
  async open<D extends ResetLinkData>(
    flow: ResetFlow,
    token: string,
    ip: string,
    accept: (record: OneTimeRecord<D>) => boolean = () => true,
  ): Promise<OpenedLink<D>> {
    return this.limiter.guard(IpOnly.token, ip, async () => {
      const found = await this.find<D>(flow, token);
      const owner = found && accept(found) ? await this.users.findById(found.userId!) : null;
      if (!found || !owner) throw flow.invalidToken();
      return { record: found, user: owner };
    });
  }

  /**
   * Sets the new password of an opened link. The password is judged before anything is spent (a
   * refused password leaves the link usable); then, in one transaction: the link is spent
   * (conditionally: of two concurrent resets one wins), the password set, the address the link was
   * mailed to marked proven (if still the user's), every other link voided, every session of the
   * user ended, the daily code budget restored and a "password changed" notice queued.
   */
  async reset<D extends ResetLinkData>(
    flow: ResetFlow,
    { record, user }: OpenedLink<D>,
    password: string,
    notice: { appName?: string },
  ): Promise<void> {
    await this.policy.assertAcceptable(password, { username: user.username, email: user.email });
    const passwordHash = await this.hasher.hash(password);
    await this.db.transaction(async (tx) => {
      if (!(await this.tokens.consumeByIdIn(tx, record.id))) throw flow.invalidToken();
      await this.users.setPasswordHash(tx, user.id, passwordHash);
      if (record.data.email) await this.users.markEmailVerified(tx, user.id, record.data.email);
      await this.tokens.revokeAllIn(tx, flow.purpose, user.id);
      await this.sessions.endAllForUserIn(tx, user.id, { reason: 'password_reset' });
      await this.codeBudget.restoreIn(tx, user.id);
      if (user.email) {
        await this.outbox.enqueue(tx, {
          channel: 'email',
          to: user.email,
          template: 'password-changed',
          data: notice.appName ? { appName: notice.appName } : {},
        });
      }
    });
  }
}
