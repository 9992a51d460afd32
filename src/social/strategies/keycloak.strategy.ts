import type { OidcProviderConfig } from '../../config/config.js';
import { OidcStrategy } from './oidc.strategy.js';

export const KEYCLOAK_CALLBACK = '/auth/keycloak-auth-redirect';

/**
 * Keycloak (KEYCLOAK_ISSUER = https://<host>/realms/<realm>, http only on a loopback host) is
 * OpenID Connect. Its tokens are kept so /keycloak/logout can end the Keycloak session: the
 * refresh token is POSTed to end_session_endpoint with the client's credentials (Keycloak's
 * back-channel logout) and revoked at revocation_endpoint.
 */
export function keycloakStrategy(config: OidcProviderConfig, publicUrl: string): OidcStrategy {
  return new OidcStrategy({
    name: 'keycloak',
    config,
    callbackUrl: publicUrl + KEYCLOAK_CALLBACK,
    scope: 'openid email profile',
    keepsTokens: true,
    endSessionByPost: true,
  });
}
