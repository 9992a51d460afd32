import { Injectable } from '@nestjs/common';
import type { Queryable } from '../database/db.js';
import type { AuthClient } from '../identity/identity.types.js';
import { OneTimeRecord, OneTimeTokensService } from './one-time-tokens.service.js';

export const SESSION_TOKEN_PURPOSE = 'session-token';
/** A sessionToken is used at once by the front end (Create Redirect Session): short-lived. */
export const SESSION_TOKEN_TTL_S = 300;

export interface SessionTokenData {
  /** How the user proved who they are (login activity `authMethod` of the session it leads to). */
  authMethod: string;
}

/**
 * The `sessionToken` of a finished headless login (API.md section 7): single use, short-lived,
 * stored hashed, bound to the user and the client. The headless login flows issue it; a redirect
 * session spends it.
 */
@Injectable()
export class SessionTokensService {
  constructor(private readonly oneTime: OneTimeTokensService) {}

  issue(input: {
    userId: string;
    client: AuthClient;
    authMethod: string;
  }): Promise<{ id: string; token: string; expiresAt: Date }> {
    const data: SessionTokenData = { authMethod: input.authMethod };
    return this.oneTime.issue({
      purpose: SESSION_TOKEN_PURPOSE,
      ttlSeconds: SESSION_TOKEN_TTL_S,
      userId: input.userId,
      clientId: input.client.id,
      tenantId: input.client.tenantId,
      data: { ...data },
    });
  }

  /** The live token, not spent. */
  peek(token: string): Promise<OneTimeRecord<SessionTokenData> | null> {
    return this.oneTime.peek<SessionTokenData>(SESSION_TOKEN_PURPOSE, token);
  }

  /** Spends a live token by its id in the caller's transaction; false when it was spent or expired meanwhile. */
  spendIn(tx: Queryable, id: string): Promise<boolean> {
    return this.oneTime.consumeByIdIn(tx, id);
  }
}
