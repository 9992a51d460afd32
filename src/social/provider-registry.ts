import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { SamlStore } from './saml-store.js';
import { SocialErrors } from './social-errors.js';
import { AppleStrategy } from './strategies/apple.strategy.js';
import { azureStrategy } from './strategies/azure.strategy.js';
import { cognitoStrategy } from './strategies/cognito.strategy.js';
import { facebookStrategy } from './strategies/facebook.strategy.js';
import { googleStrategy } from './strategies/google.strategy.js';
import { instagramStrategy } from './strategies/instagram.strategy.js';
import { keycloakStrategy } from './strategies/keycloak.strategy.js';
import type { ProviderName, ProviderStrategy } from './strategies/provider-strategy.js';
import { SamlStrategy } from './strategies/saml.strategy.js';

/** The configured providers' strategies, built once from the configuration. */
@Injectable()
export class ProviderRegistry {
  private readonly strategies = new Map<ProviderName, ProviderStrategy>();
  readonly saml: SamlStrategy | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig, samlStore: SamlStore) {
    const { providers: p, publicUrl } = config;
    const add = (strategy: ProviderStrategy | undefined) => {
      if (strategy) this.strategies.set(strategy.name, strategy);
    };
    add(p.google && googleStrategy(p.google, publicUrl));
    add(p.azure && azureStrategy(p.azure, publicUrl));
    add(p.cognito && cognitoStrategy(p.cognito, publicUrl));
    add(p.keycloak && keycloakStrategy(p.keycloak, publicUrl));
    add(p.apple && new AppleStrategy(p.apple, publicUrl));
    add(p.facebook && facebookStrategy(p.facebook, publicUrl));
    add(p.instagram && instagramStrategy(p.instagram, publicUrl));
    this.saml = p.saml && new SamlStrategy(p.saml, publicUrl, samlStore);
    add(this.saml);
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
