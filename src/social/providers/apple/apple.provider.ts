import { defineProvider } from '../provider.js';
import { AppleStrategy } from './apple.strategy.js';

/**
 * Sign in with Apple (APPLE_CLIENT_ID, APPLE_TEAM_ID, APPLE_KEY_ID, APPLE_PRIVATE_KEY; APPLE_ISSUER
 * defaults to https://appleid.apple.com). Its own protocol variant, AppleStrategy: no discovery
 * document, an ES256 client-secret JWT at the token endpoint, and a form_post callback.
 */
export const apple = defineProvider(
  'apple',
  'apple',
  'APPLE',
  '/auth/apple-oauth-redirect',
  (config, url) => {
    return new AppleStrategy(config, url);
  },
);
