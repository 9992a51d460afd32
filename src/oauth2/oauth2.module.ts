import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { AuthorizeController } from './authorize.controller.js';
import { AuthorizeService } from './authorize.service.js';
import { TokenGrantController } from './grant/token-grant.controller.js';
import { TokenGrantService } from './grant/token-grant.service.js';
import { HostedSessionsService } from './hosted-sessions.service.js';
import { LogoutController } from './logout.controller.js';
import { HostedPasskeys } from './hosted-passkey.js';
import { LogoutService } from './logout.service.js';
import { OAuth2TokenService } from './oauth2-token.service.js';
import { OAuth2Controller } from './oauth2.controller.js';
import { RedirectSessionsController } from './redirect-sessions.controller.js';
import { RedirectSessionsService } from './redirect-sessions.service.js';
import { SignInRules } from './sign-in-rules.js';
import { WellKnownController } from './well-known.controller.js';
import { VisitorTokensService } from './visitor-tokens.service.js';

/**
 * The OAuth 2.0 / OpenID Connect authorization server over the token engine (API.md section 7):
 * /oauth2/token (authorization_code, refresh_token, anonymous visitor tokens), /oauth2/revoke,
 * /oauth2/userinfo, /oauth2/authorize with the hosted login page, /oauth2/logout, and redirect
 * sessions, and discovery (/.well-known/openid-configuration, the JWKS); and the password grant
 * with its MFA grant, SSO tokens and the caller's sessions (section 8, /auth/v2/oauth1/*), whose
 * second factors the otp module lends through MfaChallengeFactors. A feature over the token
 * engine: it exports nothing.
 */
@Module({
  imports: [TokensModule, IdentityModule],
  controllers: [
    WellKnownController,
    OAuth2Controller,
    AuthorizeController,
    LogoutController,
    RedirectSessionsController,
    TokenGrantController,
  ],
  providers: [
    RedirectSessionsService,
    AuthorizeService,
    SignInRules,
    HostedPasskeys,
    LogoutService,
    HostedSessionsService,
    VisitorTokensService,
    OAuth2TokenService,
    TokenGrantService,
  ],
})
export class OAuth2Module {}
