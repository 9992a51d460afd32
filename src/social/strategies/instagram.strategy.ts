import type { OAuth2ProviderConfig } from '../../config/config.js';
import { OAuth2Strategy } from './oauth2.strategy.js';
import { cleanExternalId, cleanName } from './provider-strategy.js';

export const INSTAGRAM_CALLBACK = '/auth/instagram-auth-redirect';

/**
 * "Instagram API with Instagram Login" (the Basic Display API it replaced was shut down in
 * December 2024): OAuth 2.0 for business and creator accounts, scope instagram_business_basic.
 * The external id is the profile's `id`; Instagram gives no email and no first/last name (the
 * display `name` is kept as the first name).
 */
export function instagramStrategy(config: OAuth2ProviderConfig, publicUrl: string): OAuth2Strategy {
  return new OAuth2Strategy({
    name: 'instagram',
    config,
    callbackUrl: publicUrl + INSTAGRAM_CALLBACK,
    scopes: ['instagram_business_basic'],
    defaultFields: 'id,user_id,username,name',
    profile: (json) => ({
      externalId: cleanExternalId(json.id),
      email: null,
      emailVerified: false,
      firstName: cleanName(json.name),
      lastName: null,
    }),
  });
}
