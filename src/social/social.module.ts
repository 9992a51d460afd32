import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { PROVIDER_PASSPORT_STRATEGIES } from './passport/provider.strategies.js';
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
 * Social and SAML login (API.md section 5): one Passport strategy per provider (passport/) over
 * the provider's verified implementation (strategies/).
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
    ...PROVIDER_PASSPORT_STRATEGIES,
  ],
})
export class SocialModule {}
