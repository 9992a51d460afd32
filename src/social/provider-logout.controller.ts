import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.js';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { LogoutDto, SuccessDto } from '../tokens/dto/token.dto.js';
import { Authenticated } from '../tokens/guards/jwt-auth.guard.js';
import type { ProviderName } from './protocols/provider-strategy.js';
import { ProviderLogoutService } from './provider-logout.service.js';
import { defineHandler, ForProvider } from './social.decorators.js';

const LOGOUT_ERRORS = [
  ...BODY_ERRORS,
  [401, 'INVALID_REFRESH_TOKEN: unknown or already ended'],
  [403, "FORBIDDEN: the refresh token is another user's"],
] as (number | [number, string])[];

/** The provider logouts: POST /<provider>/logout, handler <provider>Logout. */
const PROVIDER_LOGOUTS: { provider: ProviderName; summary: string; description: string }[] = [
  {
    provider: 'google',
    summary: 'Log out here and at Google',
    description:
      "Ends the refresh token's session and revokes the presented access token (as POST /logout), then revokes the " +
      "Google grant of the user's Google logins at Google's revocation_endpoint (refresh token, else access token). " +
      'A Google failure is logged and does not undo the local logout.',
  },
  {
    provider: 'keycloak',
    summary: 'Log out here and at Keycloak',
    description:
      "Ends the refresh token's session and revokes the presented access token (as POST /logout), then ends the " +
      "user's Keycloak session: the Keycloak refresh token is POSTed to end_session_endpoint with the client's " +
      'credentials and revoked at revocation_endpoint. A Keycloak failure is logged and does not undo the local logout.',
  },
];

/** Logs out here and at the provider (the routes are added from PROVIDER_LOGOUTS below). */
@ApiTags('Social and SAML login')
@Controller()
export class ProviderLogoutController {
  constructor(private readonly logouts: ProviderLogoutService) {}

  /** What every provider logout route does. */
  async logout(
    provider: ProviderName,
    dto: LogoutDto,
    auth: AuthClaims,
    ctx: RequestContext,
  ): Promise<SuccessDto> {
    await this.logouts.logout(provider, dto.refreshToken, auth, ctx);
    return { success: true };
  }
}

for (const { provider, summary, description } of PROVIDER_LOGOUTS) {
  defineHandler(
    ProviderLogoutController,
    `${provider}Logout`,
    function (this: ProviderLogoutController, dto: LogoutDto, auth: AuthClaims, ctx: RequestContext) {
      return this.logout(provider, dto, auth, ctx);
    },
    [
      Post(`${provider}/logout`),
      HttpCode(200),
      Authenticated(),
      ForProvider(provider),
      RateLimited(),
      ApiOperation({ summary, description }),
      ApiOkResponse({ type: SuccessDto }),
      ApiErrors(...LOGOUT_ERRORS),
    ],
    [
      { decorator: Body(), type: LogoutDto },
      { decorator: CurrentAuth(), type: Object },
      { decorator: Ctx(), type: Object },
    ],
    Promise,
  );
}
