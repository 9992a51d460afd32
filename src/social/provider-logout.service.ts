import { Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import type { RequestContext } from '../common/http/request-context.js';
import { SessionsService } from '../tokens/sessions.service.js';
import { ProviderTokensService } from './provider-tokens.service.js';
import type { ProviderName } from './protocols/provider-strategy.js';

/**
 * /google/logout and /keycloak/logout: the local logout of POST /logout (the refresh token's
 * session and the presented access token end on every instance), then the session at the
 * provider is ended with the tokens kept from the user's logins there. The provider part is best
 * effort: a provider that fails or does not answer (10 s at most) never undoes the local logout.
 */
@Injectable()
export class ProviderLogoutService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly providerTokens: ProviderTokensService,
  ) {}

  async logout(
    provider: ProviderName,
    refreshToken: string,
    auth: AuthClaims,
    ctx: RequestContext,
  ): Promise<void> {
    const session = await this.sessions.findLiveSessionByRefreshToken(refreshToken);
    if (!session) throw Errors.invalidRefreshToken();
    if (session.userId !== auth.sub) throw Errors.forbidden();
    await this.sessions.end(session.id, { reason: 'logout', ctx, accessToken: auth });
    await this.providerTokens.endProviderSessions(provider, auth.sub);
  }
}
