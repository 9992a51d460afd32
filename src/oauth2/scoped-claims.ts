import type { User } from '../identity/identity.types.js';
import { hasScope } from './auth-request.js';

/**
 * The OpenID Connect claims of a user that the granted scopes allow (Core 1.0 section 5.4), for
 * the ID token and /oauth2/userinfo: `email` and `email_verified` with `email`; `name`,
 * `given_name` and `family_name` with `profile`. Claims without a value are left out, never null.
 */
export function scopedClaims(user: User, scope: string | null | undefined): Record<string, string | boolean> {
  const claims: Record<string, string | boolean> = {};
  if (hasScope(scope, 'email') && user.email) {
    claims.email = user.email;
    claims.email_verified = user.emailVerified;
  }
  if (hasScope(scope, 'profile')) {
    const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
    if (name) claims.name = name;
    if (user.firstName) claims.given_name = user.firstName;
    if (user.lastName) claims.family_name = user.lastName;
  }
  return claims;
}
