import { oauth2Provider } from '../../protocols/oauth2.strategy.js';
import { cleanExternalId, cleanName, ProviderIdentity } from '../../protocols/provider-strategy.js';

/** The person an Instagram `/me` answer names: no email, the display `name` as the first name. */
export function instagramProfile(json: Record<string, unknown>): ProviderIdentity {
  return {
    externalId: cleanExternalId(json.id),
    email: null,
    emailVerified: false,
    firstName: cleanName(json.name),
    lastName: null,
  };
}

/**
 * "Instagram API with Instagram Login" (the Basic Display API it replaced was shut down in
 * December 2024): OAuth 2.0 for business and creator accounts, scope instagram_business_basic.
 * The external id is the profile's `id`; Instagram gives no email and no first/last name (the
 * display `name` is kept as the first name).
 */
export const instagram = oauth2Provider('instagram', 'INSTAGRAM', '/auth/instagram-auth-redirect', {
  scopes: ['instagram_business_basic'],
  defaultFields: 'id,user_id,username,name',
  profile: instagramProfile,
});
