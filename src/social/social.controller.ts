import { Controller, Get, Header, Type } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { loginRedirect } from './passport/social-auth.guard.js';
import { ProviderRegistry } from './provider-registry.js';
import { ForProvider } from './social.decorators.js';
import { routeDecorators, routeParameter, SOCIAL_ROUTES, SocialRoute } from './social.routes.js';

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
  samlMetadata(): string {
    return this.registry.requireSaml().metadata();
  }
}

/**
 * Adds a handler per route of the table to the controller, decorated as a hand-written handler
 * would be (TypeScript's order: the decorators bottom-up, the parameter's first, with the design
 * metadata Nest and Swagger read), so Nest routes it and Swagger documents it.
 */
function serveRoutes(controller: Type<unknown>, routes: SocialRoute[]): void {
  const prototype = controller.prototype as object;
  for (const route of routes) {
    const handler =
      route.step === 'start'
        ? // Answered by the provider's strategy: StartsLogin redirects to the provider or refuses.
          (): void => undefined
        : (req: Request) => loginRedirect(req);
    // Swagger names the operation, and finds the parameter's metadata, by the function's name.
    Object.defineProperty(handler, 'name', { value: route.handler });
    const parameter = routeParameter(route);
    const decorators: (MethodDecorator | PropertyDecorator)[] = [
      ...routeDecorators(route),
      (target: object, key: string | symbol) => parameter.decorator(target, key, 0),
      Reflect.metadata('design:type', Function),
      Reflect.metadata('design:paramtypes', [parameter.type]),
      Reflect.metadata('design:returntype', route.step === 'start' ? undefined : Object),
    ];
    const descriptor: PropertyDescriptor = {
      value: handler,
      writable: true,
      enumerable: false,
      configurable: true,
    };
    Object.defineProperty(
      prototype,
      route.handler,
      Reflect.decorate(decorators, prototype, route.handler, descriptor) ?? descriptor,
    );
  }
}

serveRoutes(SocialController, SOCIAL_ROUTES);
