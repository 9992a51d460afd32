import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../common/http/request-context.js';
import { ClientsService } from '../identity/clients.service.js';
import { CredentialCheck } from '../identity/credentials/credential-check.js';
import type { AuthClient, User } from '../identity/identity.types.js';
import { MembershipsService } from '../identity/memberships.service.js';

export interface PasswordLogin {
  user: User;
  client: AuthClient;
  /** The member's permissions, read with the membership found ACTIVE (for the session's token). */
  permissions: string[];
}

/**
 * Checks a client and a username/password pair. The account's status is looked at only after the
 * password matched (no enumeration). Wrong client secrets count per IP, wrong passwords against
 * the account (CredentialCheck).
 */
@Injectable()
export class PasswordLoginService {
  constructor(
    private readonly clients: ClientsService,
    private readonly credentials: CredentialCheck,
    private readonly memberships: MembershipsService,
  ) {}

  async authenticateClient(
    clientId: string,
    clientSecret: string | undefined,
    ctx: RequestContext,
  ): Promise<AuthClient> {
    return this.clients.authenticate(clientId, clientSecret, ctx.ip);
  }

  async login(
    input: { clientId: string; clientSecret?: string; username: string; password: string },
    ctx: RequestContext,
  ): Promise<PasswordLogin> {
    const client = await this.authenticateClient(input.clientId, input.clientSecret, ctx);
    // The one password check (rate limit, look-up, verify, count the failure, 401).
    const user = await this.credentials.signIn(input.username, input.password, ctx.ip, {
      tenantId: client.tenantId,
    });
    // Only now, with the password proven, may the answer say something about the account.
    const { permissions } = await this.memberships.requireActive(user.id, client.tenantId);
    return { user, client, permissions };
  }
}
