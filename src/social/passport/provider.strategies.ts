import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { SocialLoginStrategy } from './social-login.strategy.js';

/*
 * One Passport strategy per provider, registered under the provider's name (what AuthGuard and
 * SocialAuthGuard name). They differ only by that name: the provider's verified implementation
 * is chosen by SocialService from the configuration (ProviderRegistry).
 */

@Injectable()
export class GooglePassportStrategy extends PassportStrategy(SocialLoginStrategy, 'google') {
  constructor() {
    super('google');
  }
}

@Injectable()
export class AzurePassportStrategy extends PassportStrategy(SocialLoginStrategy, 'azure') {
  constructor() {
    super('azure');
  }
}

@Injectable()
export class ApplePassportStrategy extends PassportStrategy(SocialLoginStrategy, 'apple') {
  constructor() {
    super('apple');
  }
}

@Injectable()
export class CognitoPassportStrategy extends PassportStrategy(SocialLoginStrategy, 'cognito') {
  constructor() {
    super('cognito');
  }
}

@Injectable()
export class FacebookPassportStrategy extends PassportStrategy(SocialLoginStrategy, 'facebook') {
  constructor() {
    super('facebook');
  }
}

@Injectable()
export class InstagramPassportStrategy extends PassportStrategy(SocialLoginStrategy, 'instagram') {
  constructor() {
    super('instagram');
  }
}

@Injectable()
export class KeycloakPassportStrategy extends PassportStrategy(SocialLoginStrategy, 'keycloak') {
  constructor() {
    super('keycloak');
  }
}

@Injectable()
export class SamlPassportStrategy extends PassportStrategy(SocialLoginStrategy, 'saml') {
  constructor() {
    super('saml');
  }
}

/** Every provider's strategy, for the module's providers. */
export const PROVIDER_PASSPORT_STRATEGIES = [
  GooglePassportStrategy,
  AzurePassportStrategy,
  ApplePassportStrategy,
  CognitoPassportStrategy,
  FacebookPassportStrategy,
  InstagramPassportStrategy,
  KeycloakPassportStrategy,
  SamlPassportStrategy,
];
