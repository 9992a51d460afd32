import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { SecretBox, sealedAt } from '../common/crypto/secret-box.js';
import { randomToken, sha256 } from '../common/crypto/tokens.js';
import { firstRow, rows } from '../database/sql.js';

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

interface Row {
  id: string;
  purpose: string;
  user_id: string | null;
  client_id: string | null;
  tenant_id: string | null;
  data_enc: string | null;
  failed_attempts: number;
  created_at: Date;
  expires_at: Date;
}

/**
 * Single-use, expiring opaque tokens stored as SHA-256 hashes, with sealed data. Consuming is one
 * conditional UPDATE, so a token works once even under concurrent use, on any instance.
 */
@Injectable()
export class OneTimeTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
  ) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /**
   * The record of a row, or null when its sealed data does not open here (copied from another
   * row, or sealed under a key no longer configured): such a token counts as unknown.
   */
  private toRecord<D>(row: Row): OneTimeRecord<D> | null {
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
  async issue(
    input: {
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
    },
    manager?: EntityManager,
  ): Promise<{ id: string; token: string; expiresAt: Date }> {
    const token = input.token ?? randomToken();
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + input.ttlSeconds * 1000);
    const row = await firstRow<{ id: string }>(
      this.m(manager),
      `INSERT INTO one_time_token (id, purpose, token_hash, user_id, client_id, tenant_id, data_enc, expires_at)
       VALUES ($8, $1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        input.purpose,
        sha256(`${input.purpose}:${token}`),
        input.userId ?? null,
        input.clientId ?? null,
        input.tenantId ?? null,
        input.data
          ? this.box.encrypt(JSON.stringify(input.data), sealedAt('one_time_token', 'data_enc', id))
          : null,
        expiresAt,
        id,
      ],
    );
    return { id: row!.id, token, expiresAt };
  }

  /** The live (unused, unexpired) token, without spending it. */
  async peek<D = Record<string, unknown>>(
    purpose: OneTimePurpose,
    token: string,
    manager?: EntityManager,
  ): Promise<OneTimeRecord<D> | null> {
    const row = await firstRow<Row>(
      this.m(manager),
      `SELECT * FROM one_time_token
       WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()`,
      [sha256(`${purpose}:${token}`), purpose],
    );
    return row ? this.toRecord<D>(row) : null;
  }

  /** Spends the token; answers it, or null when it is unknown, spent, expired or of another purpose. */
  async consume<D = Record<string, unknown>>(
    purpose: OneTimePurpose,
    token: string,
    manager?: EntityManager,
  ): Promise<OneTimeRecord<D> | null> {
    const row = await firstRow<Row>(
      this.m(manager),
      `UPDATE one_time_token SET used_at = now()
       WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
       RETURNING *`,
      [sha256(`${purpose}:${token}`), purpose],
    );
    return row ? this.toRecord<D>(row) : null;
  }

  /** Spends a live token by id (e.g. after its owner proved something else). */
  async consumeById(id: string, manager?: EntityManager): Promise<boolean> {
    const done = await rows<{ id: string }>(
      this.m(manager),
      `UPDATE one_time_token SET used_at = now() WHERE id = $1 AND used_at IS NULL AND expires_at > now() RETURNING id`,
      [id],
    );
    return done.length === 1;
  }

  /**
   * Counts a failed attempt against a live token; at `maxAttempts` the token is burnt. Answers
   * the attempts left (0 = burnt).
   */
  async recordFailure(id: string, maxAttempts: number, manager?: EntityManager): Promise<number> {
    const row = await firstRow<{ failed_attempts: number }>(
      this.m(manager),
      `UPDATE one_time_token SET failed_attempts = failed_attempts + 1,
              used_at = CASE WHEN failed_attempts + 1 >= $2 THEN now() ELSE used_at END
       WHERE id = $1 AND used_at IS NULL RETURNING failed_attempts`,
      [id, maxAttempts],
    );
    return row ? Math.max(0, maxAttempts - row.failed_attempts) : 0;
  }

  /** Spends every live token of a purpose for a user (a new reset link voids older ones). */
  async revokeAll(purpose: OneTimePurpose, userId: string, manager?: EntityManager): Promise<number> {
    const done = await rows<{ id: string }>(
      this.m(manager),
      `UPDATE one_time_token SET used_at = now()
       WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL RETURNING id`,
      [userId, purpose],
    );
    return done.length;
  }
}
