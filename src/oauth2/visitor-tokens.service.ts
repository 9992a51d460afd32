import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Db, type Queryable } from '../database/db.js';
import type { AuthClient } from '../identity/identity.types.js';
import { AccessTokensService } from '../tokens/access-tokens.service.js';
import { OneTimeRecord, OneTimeTokensService } from '../tokens/one-time-tokens.service.js';
import { RevocationService } from '../tokens/revocation.service.js';
import { DEFAULT_REFRESH_TTL_S } from '../tokens/sessions.service.js';

export const VISITOR_REFRESH_PURPOSE = 'visitor-refresh';

interface VisitorData {
  visitorId: string;
  sid: string;
}

export interface VisitorTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/**
 * Anonymous visitor tokens (`grantType: "anonymous"`, API.md section 7): an access token whose
 * `sub` is a random visitor id, with `typ: "visitor"` and no permissions, which only routes marked
 * `@AllowVisitor()` accept; and a refresh token that rotates on use. A visitor is nobody in the
 * identity store, so there is no session row or login-activity row: the refresh token is a
 * single-use one-time token, and revoking it revokes the visitor's `sid` on every instance.
 */
@Injectable()
export class VisitorTokensService {
  constructor(
    private readonly db: Db,
    private readonly accessTokens: AccessTokensService,
    private readonly oneTime: OneTimeTokensService,
    private readonly revocations: RevocationService,
  ) {}

  async issue(client: AuthClient, accessTtlSeconds: number): Promise<VisitorTokens> {
    return this.sign(this.db, client, { visitorId: randomUUID(), sid: randomUUID() }, accessTtlSeconds);
  }

  /** Signs an access token and issues its refresh token on `q`: the pool, or the caller's transaction. */
  private async sign(
    q: Queryable,
    client: AuthClient,
    data: VisitorData,
    accessTtlSeconds: number,
  ): Promise<VisitorTokens> {
    const access = this.accessTokens.sign(
      {
        sub: data.visitorId,
        tid: client.tenantId,
        cid: client.clientId,
        sid: data.sid,
        permissions: [],
        extra: { typ: 'visitor' },
      },
      accessTtlSeconds,
    );
    const token = {
      purpose: VISITOR_REFRESH_PURPOSE,
      ttlSeconds: client.refreshTokenExpiration ?? DEFAULT_REFRESH_TTL_S,
      clientId: client.id,
      tenantId: client.tenantId,
      data: { ...data },
    };
    const refresh = await this.oneTime.issueIn(q, token);
    return { accessToken: access.token, refreshToken: refresh.token, expiresIn: accessTtlSeconds };
  }

  /** The live visitor refresh token, not spent (null for anything else, including member tokens). */
  find(refreshToken: string): Promise<OneTimeRecord<VisitorData> | null> {
    return this.oneTime.peek<VisitorData>(VISITOR_REFRESH_PURPOSE, refreshToken);
  }

  /** Spends the refresh token and answers a new pair for the same visitor; null when it was spent meanwhile. */
  async rotate(
    record: OneTimeRecord<VisitorData>,
    client: AuthClient,
    accessTtlSeconds: number,
  ): Promise<VisitorTokens | null> {
    return this.db.transaction(async (tx) => {
      if (!(await this.oneTime.consumeByIdIn(tx, record.id))) return null;
      return this.sign(tx, client, record.data, accessTtlSeconds);
    });
  }

  /** Spends the refresh token and revokes every access token of the visitor. */
  async revoke(record: OneTimeRecord<VisitorData>, accessTtlSeconds: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await this.oneTime.consumeByIdIn(tx, record.id))) return;
      await this.revocations.announceSessionRevoked(
        tx,
        record.data.sid,
        new Date(Date.now() + accessTtlSeconds * 1000),
      );
    });
  }
}
