import type { OAuth2ProviderConfig } from '../../config/config.js';
import { OAuth2Strategy } from './oauth2.strategy.js';
import { cleanEmail, cleanExternalId, cleanName } from './provider-strategy.js';

export const FACEBOOK_CALLBACK = '/auth/facebook-auth-redirect';

/**
 * Facebook Login (OAuth 2.0, Graph API). The external id is the app-scoped user `id`. Facebook
 * says nothing about whether the email was verified, so it never links to an existing user; it is
 * stored on a new user only when no one else has it (API.md section 5). Calls carry
 * appsecret_proof, so "Require App Secret" may be turned on for the app.
 */
export function facebookStrategy(config: OAuth2ProviderConfig, publicUrl: string): OAuth2Strategy {
  return new OAuth2Strategy({
    name: 'facebook',
    config,
    callbackUrl: publicUrl + FACEBOOK_CALLBACK,
    scopes: ['email', 'public_profile'],
    defaultFields: 'id,name,email,first_name,last_name',
    appSecretProof: true,
    profile: (json) => ({
      externalId: cleanExternalId(json.id),
      email: cleanEmail(json.email),
      emailVerified: false,
      firstName: cleanName(json.first_name),
      lastName: cleanName(json.last_name),
    }),
  });
}
