import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { randomToken, sha256 } from '../common/crypto/tokens.js';
import { Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { firstRow } from '../database/sql.js';
import { ClientsService } from '../identity/clients.service.js';
import type { AuthClient } from '../identity/entities/auth-client.entity.js';
import { verifyPkce } from './pkce.js';
import { IssuedTokens, SessionsService } from './sessions.service.js';

export const DEFAULT_AUTH_CODE_TTL_S = 60;
/** A code waiting for its second factor stays valid this long (API.md section 4). */
export const MFA_PENDING_CODE_TTL_S = 300;

export interface IssueCodeInput {
  client: AuthClient;
  userId: string;
  tenantId: string;
  authMethod: string;
  mfaPending?: boolean;
  redirectUri?: string | null;
  codeChallenge?: string | null;
  codeChallengeMethod?: string | null;
  nonce?: string | null;
  scope?: string | null;
  deviceInfo?: string | null;
}

interface CodeRow {
  id: string;
  client_id: string;
  public_client_id: string;
  user_id: string;
  tenant_id: string;
  auth_method: string;
  mfa_pending: boolean;
  redirect_uri: string | null;
  code_challenge: string | null;
  expired: boolean;
  used_at: Date | null;
}

/** Single-use authorization codes, bound to their client and optional PKCE challenge. */
@Injectable()
export class AuthCodesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
    private readonly clients: ClientsService,
  ) {}

  async issue(input: IssueCodeInput, manager?: EntityManager): Promise<{ code: string; expiresAt: Date }> {
    const code = randomToken();
    const ttl = input.mfaPending
      ? MFA_PENDING_CODE_TTL_S
      : (input.client.authCodeExpiration ?? DEFAULT_AUTH_CODE_TTL_S);
    const expiresAt = new Date(Date.now() + ttl * 1000);
    await (manager ?? this.dataSource.manager).query(
      `INSERT INTO auth_code (code_hash, client_id, user_id, tenant_id, auth_method, mfa_pending, redirect_uri,
                              code_challenge, code_challenge_method, nonce, scope, device_info, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        sha256(code),
        input.client.id,
        input.userId,
        input.tenantId,
        input.authMethod,
        input.mfaPending ?? false,
        input.redirectUri ?? null,
        input.codeChallenge ?? null,
        input.codeChallenge ? (input.codeChallengeMethod ?? 'S256') : null,
        input.nonce ?? null,
        input.scope ?? null,
        input.deviceInfo ?? null,
        expiresAt,
      ],
    );
    return { code, expiresAt };
  }

  /**
   * Exchanges a code for tokens. The code is spent by a conditional UPDATE in the same transaction
   * that starts the session, so two concurrent exchanges yield exactly one token pair and a crash
   * cannot spend a code without issuing tokens. 401 INVALID_CODE for spent, expired, unknown or
   * foreign codes and PKCE mismatches; 401 MFA_REQUIRED while the second factor is due.
   */
  async exchange(input: {
    code: string;
    clientId: string;
    codeVerifier?: string;
    redirectUri?: string;
    ctx: RequestContext;
    accessTtlSeconds?: number;
  }): Promise<{ tokens: IssuedTokens; scope: string | null; nonce: string | null; client: AuthClient }> {
    const hash = sha256(input.code);
    const row = await firstRow<CodeRow>(
      this.dataSource.manager,
      `SELECT c.id, c.client_id, a.client_id AS public_client_id, c.user_id, c.tenant_id, c.auth_method,
              c.mfa_pending, c.redirect_uri, c.code_challenge, c.expires_at <= now() AS expired, c.used_at
       FROM auth_code c JOIN auth_client a ON a.id = c.client_id WHERE c.code_hash = $1`,
      [hash],
    );
    if (!row || row.used_at || row.expired || row.public_client_id !== input.clientId)
      throw Errors.invalidCode();
    if (row.mfa_pending) throw Errors.mfaRequired();
    if (
      row.code_challenge
        ? !verifyPkce(row.code_challenge, input.codeVerifier)
        : input.codeVerifier !== undefined
    ) {
      throw Errors.invalidCode();
    }
    if (row.redirect_uri && input.redirectUri !== undefined && input.redirectUri !== row.redirect_uri) {
      throw Errors.invalidCode();
    }
    const client = await this.clients.findById(row.client_id);
    if (!client) throw Errors.invalidCode();
    return this.dataSource.transaction(async (m) => {
      const spent = await firstRow<{ scope: string | null; nonce: string | null }>(
        m,
        `UPDATE auth_code SET used_at = now()
         WHERE id = $1 AND used_at IS NULL AND mfa_pending = false AND expires_at > now()
         RETURNING scope, nonce`,
        [row.id],
      );
      if (!spent) throw Errors.invalidCode();
      const tokens = await this.sessions.start(
        {
          userId: row.user_id,
          tenantId: row.tenant_id,
          client,
          authMethod: row.auth_method,
          ctx: input.ctx,
          accessTtlSeconds: input.accessTtlSeconds,
        },
        m,
      );
      return { tokens, scope: spent.scope, nonce: spent.nonce, client };
    });
  }
}
