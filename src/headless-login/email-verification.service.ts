import { Injectable } from '@nestjs/common';
import { randomDigits } from '../common/crypto/tokens.js';
import { isUniqueViolation, Queryable } from '../database/db.js';
import type { AuthClient } from '../identity/identity.types.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { OneTimeRecord, OneTimeTokensService } from '../tokens/one-time-tokens.service.js';
import { inCodeSavepoint } from './headless-login.queries.js';

export const STATE_TOKEN_PURPOSE = 'state-token';
export const VERIFICATION_CODE_PURPOSE = 'email-verification';
/** The unfinished flow lives an hour: time to read the mail, and to ask for another code. */
export const STATE_TOKEN_TTL_S = 3600;
export const VERIFICATION_CODE_TTL_S = 30 * 60;
/** Wrong codes a stateToken survives; the fifth burns it (log in again for a new one). */
export const MAX_CODE_FAILURES = 5;

/** What a stateToken carries until the email is verified. */
export interface StateData {
  flow: 'verify-email';
  /** Register of an existing contact without a password: the password to set once verified. */
  pendingPasswordHash?: string;
  /** ... and the profile they registered with. */
  profile?: Record<string, unknown>;
  /** A sign-in that proved both factors at once (a passkey): the authMethod of the session it leads to. */
  provenBy?: string;
}

export type StateRecord = OneTimeRecord<StateData>;

/** What a code carries: the address it was mailed to (codes from before this was kept have none). */
interface CodeData {
  email?: string;
}

/**
 * Email verification by a 6-digit code (API.md section 7): the stateToken is a one-time token
 * carrying the unfinished flow; each code is a one-time token of its own whose clear value is
 * `<state id>:<code>`, so a code only works with its own stateToken and stored codes stay unique.
 * The mail goes through the outbox in the caller's transaction.
 */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly oneTime: OneTimeTokensService,
    private readonly outbox: OutboxService,
  ) {}

  /** Opens a verification flow for `user` and mails its first code; answers the stateToken. */
  async start(
    tx: Queryable,
    input: { userId: string; email: string; client: AuthClient; data?: Omit<StateData, 'flow'> },
  ): Promise<string> {
    const state = await this.oneTime.issueIn(tx, {
      purpose: STATE_TOKEN_PURPOSE,
      ttlSeconds: STATE_TOKEN_TTL_S,
      userId: input.userId,
      clientId: input.client.id,
      tenantId: input.client.tenantId,
      data: { flow: 'verify-email', ...input.data },
    });
    await this.sendCode(tx, { id: state.id, userId: input.userId }, input.email, input.client);
    return state.token;
  }

  findState(token: string): Promise<StateRecord | null> {
    return this.oneTime.peek<StateData>(STATE_TOKEN_PURPOSE, token);
  }

  /** A new code for the flow; older codes of the user stop working. */
  async sendCode(
    tx: Queryable,
    state: { id: string; userId: string | null },
    email: string,
    client: AuthClient,
  ): Promise<void> {
    if (state.userId) await this.oneTime.revokeAllIn(tx, VERIFICATION_CODE_PURPOSE, state.userId);
    const code = await this.issueUniqueCode(tx, state, client, email);
    await this.outbox.enqueue(tx, {
      channel: 'email',
      to: email,
      template: 'verification-code',
      data: { code, expiresInMinutes: String(VERIFICATION_CODE_TTL_S / 60), appName: client.name },
    });
  }

  /**
   * Stored hashes are unique: a new code equal to an earlier one of the same flow (one chance in a
   * million) is drawn again, inside a savepoint so the caller's transaction survives.
   */
  private async issueUniqueCode(
    tx: Queryable,
    state: { id: string; userId: string | null },
    client: AuthClient,
    email: string,
  ): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const code = randomDigits(6);
      try {
        await inCodeSavepoint(tx, () =>
          this.oneTime.issueIn(tx, {
            purpose: VERIFICATION_CODE_PURPOSE,
            ttlSeconds: VERIFICATION_CODE_TTL_S,
            userId: state.userId,
            clientId: client.id,
            tenantId: client.tenantId,
            token: `${state.id}:${code}`,
            // Where the code was mailed: the address a correct code proves.
            data: { email } satisfies CodeData,
          }),
        );
        return code;
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= 4) throw err;
      }
    }
  }

  /**
   * Spends the code and the stateToken together; answers the address the code was mailed to (which
   * it proves), or null when the code is wrong, spent or expired.
   */
  async complete(tx: Queryable, state: StateRecord, code: string): Promise<{ email?: string } | null> {
    if (!/^\d{6}$/.test(code)) return null;
    const spent = await this.oneTime.consumeIn<CodeData>(
      tx,
      VERIFICATION_CODE_PURPOSE,
      `${state.id}:${code}`,
    );
    if (!spent || !(await this.oneTime.consumeByIdIn(tx, state.id))) return null;
    return { email: spent.data.email };
  }

  /** A wrong code: counted against the stateToken, which burns at MAX_CODE_FAILURES. */
  recordWrongCode(state: StateRecord): Promise<number> {
    return this.oneTime.recordFailure(state.id, MAX_CODE_FAILURES);
  }
}
