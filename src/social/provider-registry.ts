import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { ProviderName, ProviderStrategy } from './protocols/provider-strategy.js';
import { SamlStrategy } from './protocols/saml.strategy.js';
import { PROVIDERS } from './providers/index.js';
import { SamlStore } from './saml-store.js';
import { SocialErrors } from './social-errors.js';

/** The configured providers' strategies, built once from the configuration (providers/). */
@Injectable()
export class ProviderRegistry {
  private readonly strategies = new Map<ProviderName, ProviderStrategy>();
  readonly saml: SamlStrategy | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig, samlStore: SamlStore) {
    for (const provider of Object.values(PROVIDERS)) {
      const strategy = provider.create(config, { samlStore });
      if (strategy) this.strategies.set(provider.name, strategy);
    }
    const saml = this.strategies.get('saml');
    this.saml = saml instanceof SamlStrategy ? saml : undefined;
  }

  isConfigured(name: ProviderName): boolean {
    return this.strategies.has(name);
  }

  /** The provider's strategy; 404 PROVIDER_NOT_CONFIGURED when its variables are unset. */
  get(name: ProviderName): ProviderStrategy {
    const strategy = this.strategies.get(name);
    if (!strategy) throw SocialErrors.providerNotConfigured(name);
    return strategy;
  }

  requireSaml(): SamlStrategy {
    if (!this.saml) throw SocialErrors.providerNotConfigured('saml');
    return this.saml;
  }
}
