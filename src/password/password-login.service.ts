import { Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { AttemptLimiter } from '../common/rate-limit/attempt-limiter.js';
import { ClientsService } from '../identity/clients.service.js';
import type { AuthClient } from '../identity/entities/auth-client.entity.js';
import type { User } from '../identity/entities/user.entity.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { UsersService } from '../identity/users.service.js';

export interface PasswordLogin {
  user: User;
  client: AuthClient;
}

/**
 * Checks a client and a username/password pair. The account's status is looked at only after the
 * password matched (no enumeration); wrong secrets count against the client, wrong passwords
 * against the username, per IP and globally.
 */
@Injectable()
export class PasswordLoginService {
  constructor(
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
    private readonly limiter: AttemptLimiter,
  ) {}

  async authenticateClient(
    clientId: string,
    clientSecret: string | undefined,
    ctx: RequestContext,
  ): Promise<AuthClient> {
    return this.clients.authenticate(clientId, clientSecret, ctx.ip);
  }

  /** Verifies the password of `login` (username or email); answers the user, or throws 401. */
  async verifyPassword(login: string, password: string, ctx: RequestContext): Promise<User> {
    const subject = `user:${login}`;
    await this.limiter.assertAllowed(subject, ctx.ip);
    const user = await this.users.findByLogin(login);
    const ok = await this.users.verifyPassword(user, password);
    if (!ok || !user) {
      await this.limiter.recordFailure(subject, ctx.ip);
      throw Errors.invalidCredentials();
    }
    return user;
  }

  async login(
    input: { clientId: string; clientSecret?: string; username: string; password: string },
    ctx: RequestContext,
  ): Promise<PasswordLogin> {
    const client = await this.authenticateClient(input.clientId, input.clientSecret, ctx);
    const user = await this.verifyPassword(input.username, input.password, ctx);
    // Only now, with the password proven, may the answer say something about the account.
    await this.memberships.requireActive(user.id, client.tenantId);
    return { user, client };
  }
}
