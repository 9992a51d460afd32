import { oauth2Provider } from '../../protocols/oauth2.strategy.js';
import {
  cleanEmail,
  cleanExternalId,
  cleanName,
  ProviderIdentity,
} from '../../protocols/provider-strategy.js';

/** The person a Graph API `/me` answer names (`id` is the app-scoped user id). */
export function facebookProfile(json: Record<string, unknown>): ProviderIdentity {
  return {
    externalId: cleanExternalId(json.id),
    email: cleanEmail(json.email),
    emailVerified: false,
    firstName: cleanName(json.first_name),
    lastName: cleanName(json.last_name),
  };
}

/**
 * Facebook Login (OAuth 2.0, Graph API). The external id is the app-scoped user `id`. Facebook
 * says nothing about whether the email was verified, so it never links to an existing user; it is
 * stored on a new user only when no one else has it (API.md section 5). Calls carry
 * appsecret_proof, so "Require App Secret" may be turned on for the app.
 */
export const facebook = oauth2Provider('facebook', 'FACEBOOK', '/auth/facebook-auth-redirect', {
  scopes: ['email', 'public_profile'],
  defaultFields: 'id,name,email,first_name,last_name',
  appSecretProof: true,
  profile: facebookProfile,
});
