import { Body, Controller, Get, Header, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { AppleCallbackDto, SamlAcsDto, SocialStartDto } from './dto/social.dto.js';
import { FinishesLogin, loginRedirect, StartsLogin } from './passport/social-auth.guard.js';
import { ProviderRegistry } from './provider-registry.js';
import { ForProvider, Redirects } from './social.decorators.js';
import {
  BINDING_COOKIE,
  CALLBACK_302,
  CALLBACK_ERRORS,
  CallbackQuery,
  START_302,
  START_ERRORS,
  START_FLOW,
} from './social.docs.js';

type RedirectTo = { url: string };

/**
 * The start and callback routes of every social and SAML login (API.md section 5), the SAML SP
 * metadata. Passport authenticates: each route runs its provider's strategy (passport/) through
 * SocialAuthGuard. A start route's strategy answers the 302 to the provider itself, so its handler
 * is never reached (it is here for the route and its documentation); a callback's strategy leaves
 * the client's redirect URL in `req.user`, which the handler redirects to.
 */
@ApiTags('Social and SAML login')
@Controller('auth')
export class SocialController {
  constructor(private readonly registry: ProviderRegistry) {}

  // ---- Google -------------------------------------------------------------------------------

  @Post('google')
  @StartsLogin('google')
  @ForProvider('google')
  @Redirects(START_302)
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: SocialStartDto })
  @ApiOperation({ summary: 'Start a Google login', description: `Google (OpenID Connect). ${START_FLOW}` })
  @ApiErrors(...START_ERRORS)
  googleStart(@Body() _dto: SocialStartDto): void {
    // Answered by the google strategy: StartsLogin redirects to the provider or refuses.
  }

  @Get('google')
  @StartsLogin('google')
  @ForProvider('google')
  @Redirects(START_302)
  @ApiOperation({
    summary: 'Start a Google login (query string)',
    description: `Deprecated: a client_secret in the query string ends up in logs; use the POST. ${START_FLOW}`,
    deprecated: true,
  })
  @ApiErrors(...START_ERRORS)
  googleStartGet(@Query() _dto: SocialStartDto): void {
    // Answered by the google strategy: StartsLogin redirects to the provider or refuses.
  }

  @Get('google-auth-redirect')
  @FinishesLogin('google')
  @ForProvider('google')
  @Redirects(CALLBACK_302)
  @CallbackQuery()
  @ApiOperation({
    summary: "Google's callback",
    description:
      "Spends the state, exchanges the code (PKCE), verifies the ID token against Google's JWKS (signature, iss, aud, " +
      'exp, nonce) and keeps the Google tokens (encrypted) for /google/logout.',
  })
  @ApiErrors(...CALLBACK_ERRORS)
  googleCallback(@Req() req: Request): RedirectTo {
    return loginRedirect(req);
  }

  // ---- Azure AD / Entra ID ------------------------------------------------------------------

  @Post('azure')
  @StartsLogin('azure')
  @ForProvider('azure')
  @Redirects(START_302)
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: SocialStartDto })
  @ApiOperation({
    summary: 'Start an Azure AD (Entra ID) login',
    description: `Azure AD / Entra ID (OpenID Connect). ${START_FLOW}`,
  })
  @ApiErrors(...START_ERRORS)
  azureStart(@Body() _dto: SocialStartDto): void {
    // Answered by the azure strategy: StartsLogin redirects to the provider or refuses.
  }

  @Get('azure')
  @StartsLogin('azure')
  @ForProvider('azure')
  @Redirects(START_302)
  @ApiOperation({
    summary: 'Start an Azure AD (Entra ID) login (query string)',
    description: `Deprecated: a client_secret in the query string ends up in logs; use the POST. ${START_FLOW}`,
    deprecated: true,
  })
  @ApiErrors(...START_ERRORS)
  azureStartGet(@Query() _dto: SocialStartDto): void {
    // Answered by the azure strategy: StartsLogin redirects to the provider or refuses.
  }

  @Get('azure-oauth-redirect')
  @FinishesLogin('azure')
  @ForProvider('azure')
  @Redirects(CALLBACK_302)
  @CallbackQuery()
  @ApiQuery({ name: 'session_state', required: false, description: "Azure's session id (ignored)" })
  @ApiOperation({
    summary: "Azure AD's callback",
    description:
      "Spends the state, exchanges the code (PKCE) and verifies the ID token against the tenant's JWKS (signature, iss, " +
      'aud, exp, nonce). Extra parameters (session_state, ...) are ignored. Entra ID sends no email_verified, so its ' +
      'email never links to an existing user.',
  })
  @ApiErrors(...CALLBACK_ERRORS)
  azureCallback(@Req() req: Request): RedirectTo {
    return loginRedirect(req);
  }

  // ---- Apple --------------------------------------------------------------------------------

  @Post('oauth-apple')
  @StartsLogin('apple')
  @ForProvider('apple')
  @Redirects(START_302)
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: SocialStartDto })
  @ApiOperation({
    summary: 'Start a Sign in with Apple login',
    description:
      `Sign in with Apple (scope "name email", response_mode form_post, nonce). ${START_FLOW} Apple answers ` +
      'with a form POST to /auth/apple-oauth-redirect.',
  })
  @ApiErrors(...START_ERRORS)
  appleStart(@Body() _dto: SocialStartDto): void {
    // Answered by the apple strategy: StartsLogin redirects to the provider or refuses.
  }

  @Post('apple-oauth-redirect')
  @FinishesLogin('apple')
  @ForProvider('apple')
  @Redirects(CALLBACK_302)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: AppleCallbackDto })
  @ApiOperation({
    summary: "Apple's callback (form_post)",
    description:
      "Spends the state, exchanges the code with the ES256 client-secret JWT Apple prescribes, and verifies Apple's " +
      'ID token against <APPLE_ISSUER>/auth/keys (signature, iss, aud, exp, nonce). The name comes from the `user` ' +
      'field Apple posts on the first login only.',
  })
  @ApiErrors(...BODY_ERRORS, ...CALLBACK_ERRORS)
  appleCallbackPost(@Req() req: Request): RedirectTo {
    return loginRedirect(req);
  }

  @Get('apple-oauth-redirect')
  @FinishesLogin('apple')
  @ForProvider('apple')
  @Redirects(CALLBACK_302)
  @CallbackQuery()
  @ApiOperation({
    summary: "Apple's callback (query)",
    description: 'The same as the form_post callback, with the parameters in the query string.',
  })
  @ApiErrors(...CALLBACK_ERRORS)
  appleCallbackGet(@Req() req: Request): RedirectTo {
    return loginRedirect(req);
  }

  // ---- Cognito ------------------------------------------------------------------------------

  @Post('cognito')
  @StartsLogin('cognito')
  @ForProvider('cognito')
  @Redirects(START_302)
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: SocialStartDto })
  @ApiOperation({
    summary: 'Start an Amazon Cognito login',
    description: `Cognito (OpenID Connect). ${START_FLOW}`,
  })
  @ApiErrors(...START_ERRORS)
  cognitoStart(@Body() _dto: SocialStartDto): void {
    // Answered by the cognito strategy: StartsLogin redirects to the provider or refuses.
  }

  @Get('cognito')
  @StartsLogin('cognito')
  @ForProvider('cognito')
  @Redirects(START_302)
  @ApiOperation({
    summary: 'Start an Amazon Cognito login (query string)',
    description: `Deprecated: a client_secret in the query string ends up in logs; use the POST. ${START_FLOW}`,
    deprecated: true,
  })
  @ApiErrors(...START_ERRORS)
  cognitoStartGet(@Query() _dto: SocialStartDto): void {
    // Answered by the cognito strategy: StartsLogin redirects to the provider or refuses.
  }

  @Get('cognito-auth-redirect')
  @FinishesLogin('cognito')
  @ForProvider('cognito')
  @Redirects(CALLBACK_302)
  @CallbackQuery()
  @ApiOperation({
    summary: "Cognito's callback",
    description:
      "Spends the state, exchanges the code (PKCE) and verifies the ID token against the user pool's JWKS " +
      '(signature, iss, aud, exp, nonce).',
  })
  @ApiErrors(...CALLBACK_ERRORS)
  cognitoCallback(@Req() req: Request): RedirectTo {
    return loginRedirect(req);
  }

  // ---- Facebook -----------------------------------------------------------------------------

  @Post('facebook')
  @StartsLogin('facebook')
  @ForProvider('facebook')
  @Redirects(START_302)
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: SocialStartDto })
  @ApiOperation({
    summary: 'Start a Facebook login',
    description: `Facebook Login (OAuth 2.0, scopes email and public_profile). ${START_FLOW}`,
  })
  @ApiErrors(...START_ERRORS)
  facebookStart(@Body() _dto: SocialStartDto): void {
    // Answered by the facebook strategy: StartsLogin redirects to the provider or refuses.
  }

  @Get('facebook-auth-redirect')
  @FinishesLogin('facebook')
  @ForProvider('facebook')
  @Redirects(CALLBACK_302)
  @CallbackQuery()
  @ApiOperation({
    summary: "Facebook's callback",
    description:
      "Spends the state, exchanges the code and reads the profile (`id` = external id) from the Graph API. Facebook's " +
      'email is not known to be verified: it never links to an existing user.',
  })
  @ApiErrors(...CALLBACK_ERRORS)
  facebookCallback(@Req() req: Request): RedirectTo {
    return loginRedirect(req);
  }

  // ---- Instagram ----------------------------------------------------------------------------

  @Post('instagram')
  @StartsLogin('instagram')
  @ForProvider('instagram')
  @Redirects(START_302)
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: SocialStartDto })
  @ApiOperation({
    summary: 'Start an Instagram login',
    description: `Instagram API with Instagram Login (OAuth 2.0, business and creator accounts). ${START_FLOW}`,
  })
  @ApiErrors(...START_ERRORS)
  instagramStart(@Body() _dto: SocialStartDto): void {
    // Answered by the instagram strategy: StartsLogin redirects to the provider or refuses.
  }

  @Get('instagram-auth-redirect')
  @FinishesLogin('instagram')
  @ForProvider('instagram')
  @Redirects(CALLBACK_302)
  @CallbackQuery()
  @ApiOperation({
    summary: "Instagram's callback",
    description:
      'Spends the state, exchanges the code and reads the profile (`id` = external id). Instagram gives no email.',
  })
  @ApiErrors(...CALLBACK_ERRORS)
  instagramCallback(@Req() req: Request): RedirectTo {
    return loginRedirect(req);
  }

  // ---- Keycloak -----------------------------------------------------------------------------

  @Post('keycloak')
  @StartsLogin('keycloak')
  @ForProvider('keycloak')
  @Redirects(START_302)
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: SocialStartDto })
  @ApiOperation({
    summary: 'Start a Keycloak login',
    description: `Keycloak (OpenID Connect). ${START_FLOW}`,
  })
  @ApiErrors(...START_ERRORS)
  keycloakStart(@Body() _dto: SocialStartDto): void {
    // Answered by the keycloak strategy: StartsLogin redirects to the provider or refuses.
  }

  @Get('keycloak')
  @StartsLogin('keycloak')
  @ForProvider('keycloak')
  @Redirects(START_302)
  @ApiOperation({
    summary: 'Start a Keycloak login (query string)',
    description: `Deprecated: a client_secret in the query string ends up in logs; use the POST. ${START_FLOW}`,
    deprecated: true,
  })
  @ApiErrors(...START_ERRORS)
  keycloakStartGet(@Query() _dto: SocialStartDto): void {
    // Answered by the keycloak strategy: StartsLogin redirects to the provider or refuses.
  }

  @Get('keycloak-auth-redirect')
  @FinishesLogin('keycloak')
  @ForProvider('keycloak')
  @Redirects(CALLBACK_302)
  @CallbackQuery()
  @ApiOperation({
    summary: "Keycloak's callback",
    description:
      "Spends the state, exchanges the code (PKCE), verifies the ID token against the realm's JWKS (signature, iss, " +
      'aud, exp, nonce) and keeps the Keycloak tokens (encrypted) for /keycloak/logout.',
  })
  @ApiErrors(...CALLBACK_ERRORS)
  keycloakCallback(@Req() req: Request): RedirectTo {
    return loginRedirect(req);
  }

  // ---- SAML ---------------------------------------------------------------------------------

  @Post('saml')
  @StartsLogin('saml')
  @ForProvider('saml')
  @Redirects(
    `To the IdP's SSO URL (HTTP-Redirect binding) with an AuthnRequest and the state as RelayState. ${BINDING_COOKIE}`,
  )
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: SocialStartDto })
  @ApiOperation({
    summary: 'Start a SAML login',
    description:
      'SP-initiated SAML 2.0: an AuthnRequest whose ID is kept in Postgres and bound to a one-time state (the ' +
      `RelayState). ${START_FLOW}`,
  })
  @ApiErrors(...START_ERRORS)
  samlStart(@Body() _dto: SocialStartDto): void {
    // Answered by the saml strategy: StartsLogin redirects to the provider or refuses.
  }

  @Post('saml-redirect')
  @FinishesLogin('saml')
  @ForProvider('saml')
  @Redirects(CALLBACK_302)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: SamlAcsDto })
  @ApiQuery({
    name: 'client',
    required: false,
    description: 'A client_id; when present it must be the client bound in RelayState',
  })
  @ApiOperation({
    summary: 'SAML assertion consumer service (ACS)',
    description:
      'HTTP-POST binding. Accepted only when the assertion is signed by SAML_IDP_CERT (a signed Response around it too), ' +
      'answers the AuthnRequest of this login (InResponseTo; each request ID and each assertion ID is accepted once), ' +
      'names our audience (SAML_AUDIENCE) and this ACS as Recipient, and is within its validity window. The external ' +
      "id is the NameID; the email attribute of the operator's IdP counts as verified.",
  })
  @ApiErrors(...BODY_ERRORS, ...CALLBACK_ERRORS)
  samlAcs(@Req() req: Request): RedirectTo {
    return loginRedirect(req);
  }

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
