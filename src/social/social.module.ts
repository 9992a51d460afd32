import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { PROTOCOL_STRATEGIES } from './passport/social-login.strategy.js';
import { ProviderLogoutController } from './provider-logout.controller.js';
import { ProviderLogoutService } from './provider-logout.service.js';
import { ProviderRegistry } from './provider-registry.js';
import { ProviderTokensService } from './provider-tokens.service.js';
import { BrowserBinding } from './browser-binding.js';
import { SamlStore } from './saml-store.js';
import { SocialAccountsService } from './social-accounts.service.js';
import { ProviderConfiguredGuard } from './social.decorators.js';
import { SocialController } from './social.controller.js';
import { SocialService } from './social.service.js';

/**
 * Social and SAML login (API.md section 5): a folder per provider (providers/<name>/), one Passport
 * strategy per protocol (passport/) over the protocol's verified implementation (protocols/), and
 * one route table (social.routes.ts) the controller serves.
 */
@Module({
  imports: [IdentityModule, TokensModule],
  controllers: [SocialController, ProviderLogoutController],
  providers: [
    SamlStore,
    BrowserBinding,
    ProviderRegistry,
    ProviderConfiguredGuard,
    SocialAccountsService,
    ProviderTokensService,
    SocialService,
    ProviderLogoutService,
    ...PROTOCOL_STRATEGIES,
  ],
})
export class SocialModule {}
