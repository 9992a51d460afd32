import { oidcProvider } from '../../protocols/oidc.strategy.js';

/**
 * Keycloak (KEYCLOAK_ISSUER = https://<host>/realms/<realm>, http only on a loopback host) is
 * OpenID Connect. Its tokens are kept so /keycloak/logout can end the Keycloak session: the
 * refresh token is POSTed to end_session_endpoint with the client's credentials (Keycloak's
 * back-channel logout) and revoked at revocation_endpoint.
 */
export const keycloak = oidcProvider('keycloak', 'KEYCLOAK', '/auth/keycloak-auth-redirect', {
  keepsTokens: true,
  endSessionByPost: true,
});
