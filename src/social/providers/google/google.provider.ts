import { oidcProvider } from '../../protocols/oidc.strategy.js';

/**
 * Google is OpenID Connect (issuer https://accounts.google.com, overridable by GOOGLE_ISSUER).
 * `access_type=offline` asks for a refresh token on first consent, so /google/logout can revoke
 * the grant at Google's revocation_endpoint later (revoking it also revokes its access tokens).
 */
export const google = oidcProvider('google', 'GOOGLE', '/auth/google-auth-redirect', {
  authorizationParams: { access_type: 'offline' },
  keepsTokens: true,
});
