import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from '../common/http/http.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { loginRedirect } from './passport/social-auth.guard.js';
import { ProviderRegistry } from './provider-registry.js';
import { defineHandler, ForProvider } from './social.decorators.js';
import { routeDecorators, routeParameter, SOCIAL_ROUTES } from './social.routes.js';

/**
 * The start and callback routes of every social and SAML login (API.md section 5), served from the
 * route table (social.routes.ts), and the SAML SP metadata. Passport authenticates: each login
 * route runs its provider's protocol strategy (passport/) through SocialAuthGuard. A start route's
 * strategy answers the 302 to the provider itself, so its handler is never reached (it is there
 * for the route and its documentation); a callback's strategy leaves the client's redirect URL in
 * `req.user`, which the handler redirects to.
 */
@ApiTags('Social and SAML login')
@Controller('auth')
export class SocialController {
  constructor(private readonly registry: ProviderRegistry) {}

  @Get('saml/metadata')
  @ForProvider('saml')
  @RateLimited()
  @Header('Content-Type', 'application/samlmetadata+xml; charset=utf-8')
  @ApiOperation({
    summary: 'SAML service provider metadata',
    description:
      'Our entity id (SAML_ISSUER), the ACS URL (PUBLIC_URL + /auth/saml-redirect) and that assertions must be signed.',
  })
  @ApiOkResponse({
    description: 'The SP metadata XML',
    content: { 'application/samlmetadata+xml': { schema: { type: 'string' } } },
  })
  samlMetadata(): Promise<string> {
    return this.registry.requireSaml().metadata();
  }
}

/** One handler per route of the table: a start route's is never reached, a callback's redirects. */
for (const route of SOCIAL_ROUTES) {
  const handler =
    route.step === 'start'
      ? // Answered by the provider's strategy: StartsLogin redirects to the provider or refuses.
        (): void => undefined
      : (req: Request) => loginRedirect(req);
  defineHandler(
    SocialController,
    route.handler,
    handler,
    routeDecorators(route),
    [routeParameter(route)],
    route.step === 'start' ? undefined : Object,
  );
}
