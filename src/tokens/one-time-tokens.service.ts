import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SecretBox, sealedAt } from '../common/crypto/secret-box.js';
import { randomToken, sha256 } from '../common/crypto/tokens.js';
import { Db, Queryable } from '../database/db.js';
import {
  countOneTimeFailure,
  findLiveOneTimeToken,
  insertOneTimeToken,
  OneTimeRow,
  spendOneTimeToken,
  spendOneTimeTokenById,
  spendOneTimeTokensOfUser,
} from './one-time-tokens.queries.js';

/** What a one-time token is for. Each feature uses its own purposes; a token works only for its own. */
export type OneTimePurpose =
  | 'reset-password'
  | 'sign-up'
  | 'email-verification'
  | 'provider-state'
  | 'session-token'
  | 'state-token'
  | 'sso-token'
  | 'mfa-challenge'
  | 'recovery-email'
  | 'redirect-session'
  | (string & {});

export interface OneTimeRecord<D = Record<string, unknown>> {
  id: string;
  purpose: string;
  userId: string | null;
  /** auth_client.id */
  clientId: string | null;
  tenantId: string | null;
  data: D;
  failedAttempts: number;
  createdAt: Date;
  expiresAt: Date;
}

/** What a new token is (see OneTimeTokensService.issue). */
export interface NewOneTimeToken {
  purpose: OneTimePurpose;
  ttlSeconds: number;
  userId?: string | null;
  clientId?: string | null;
  tenantId?: string | null;
  data?: Record<string, unknown>;
  /**
   * Supply the clear value yourself; default: 32 random bytes, base64url. It must be unique
   * for its purpose (the hash is a unique key): scope a low-entropy value such as a 6-digit
   * code with a unique prefix (e.g. `${stateId}:${code}`); natural ids (SAML assertion IDs)
   * then get "accepted once" from the same unique key.
   */
  token?: string;
}

/**
 * Single-use, expiring opaque tokens stored as SHA-256 hashes, with sealed data. Consuming is one
 * conditional UPDATE, so a token works once even under concurrent use, on any instance. Each
 * method runs on its own; its `...In` variant runs in the caller's transaction.
 */
@Injectable()
export class OneTimeTokensService {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  /**
   * The record of a row, or null when its sealed data does not open here (copied from another
   * row, or sealed under a key no longer configured): such a token counts as unknown.
   */
  private toRecord<D>(row: OneTimeRow): OneTimeRecord<D> | null {
    let data: unknown = {};
    if (row.data_enc) {
      const plain = this.box.decryptOrNull(row.data_enc, sealedAt('one_time_token', 'data_enc', row.id));
      if (plain === null) return null;
      data = JSON.parse(plain);
    }
    return {
      id: row.id,
      purpose: row.purpose,
      userId: row.user_id,
      clientId: row.client_id,
      tenantId: row.tenant_id,
      data: data as D,
      failedAttempts: row.failed_attempts,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  /** Creates a token; answers the clear token (shown to its owner once) and its expiry. */
  issue(input: NewOneTimeToken): Promise<{ id: string; token: string; expiresAt: Date }> {
    return this.issueIn(this.db, input);
  }

  /** `issue` in the caller's transaction. */
  async issueIn(
    q: Queryable,
    input: NewOneTimeToken,
  ): Promise<{ id: string; token: string; expiresAt: Date }> {
    const token = input.token ?? randomToken();
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + input.ttlSeconds * 1000);
    await insertOneTimeToken(q, {
      id,
      purpose: input.purpose,
      tokenHash: sha256(`${input.purpose}:${token}`),
      userId: input.userId ?? null,
      clientId: input.clientId ?? null,
      tenantId: input.tenantId ?? null,
      dataEnc: input.data
        ? this.box.encrypt(JSON.stringify(input.data), sealedAt('one_time_token', 'data_enc', id))
        : null,
      expiresAt,
    });
    return { id, token, expiresAt };
  }

  /** The live (unused, unexpired) token, without spending it. */
  async peek<D = Record<string, unknown>>(
    purpose: OneTimePurpose,
    token: string,
  ): Promise<OneTimeRecord<D> | null> {
    const row = await findLiveOneTimeToken(this.db, sha256(`${purpose}:${token}`), purpose);
    return row ? this.toRecord<D>(row) : null;
  }

  /** Spends the token; answers it, or null when it is unknown, spent, expired or of another purpose. */
  consume<D = Record<string, unknown>>(
    purpose: OneTimePurpose,
    token: string,
  ): Promise<OneTimeRecord<D> | null> {
    return this.consumeIn<D>(this.db, purpose, token);
  }

  /** `consume` in the caller's transaction. */
  async consumeIn<D = Record<string, unknown>>(
    q: Queryable,
    purpose: OneTimePurpose,
    token: string,
  ): Promise<OneTimeRecord<D> | null> {
    const row = await spendOneTimeToken(q, sha256(`${purpose}:${token}`), purpose);
    return row ? this.toRecord<D>(row) : null;
  }

  /** Spends a live token by id (e.g. after its owner proved something else). */
  consumeById(id: string): Promise<boolean> {
    return spendOneTimeTokenById(this.db, id);
  }

  /** `consumeById` in the caller's transaction. */
  consumeByIdIn(q: Queryable, id: string): Promise<boolean> {
    return spendOneTimeTokenById(q, id);
  }

  /**
   * Counts a failed attempt against a live token; at `maxAttempts` the token is burnt. Answers
   * the attempts left (0 = burnt).
   */
  async recordFailure(id: string, maxAttempts: number): Promise<number> {
    const failed = await countOneTimeFailure(this.db, id, maxAttempts);
    return failed === undefined ? 0 : Math.max(0, maxAttempts - failed);
  }

  /** Spends, in the caller's transaction, every live token of a purpose for a user (a new reset link voids older ones). */
  revokeAllIn(q: Queryable, purpose: OneTimePurpose, userId: string): Promise<number> {
    return spendOneTimeTokensOfUser(q, purpose, userId);
  }
}
