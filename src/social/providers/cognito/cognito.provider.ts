import { oidcProvider } from '../../protocols/oidc.strategy.js';

export const COGNITO_CALLBACK = '/auth/cognito-auth-redirect';

/**
 * Amazon Cognito user pools are OpenID Connect; COGNITO_ISSUER is
 * https://cognito-idp.<region>.amazonaws.com/<user-pool-id>, whose discovery document points at
 * the pool's hosted-UI domain for the authorize and token endpoints.
 */
export const cognito = oidcProvider({
  name: 'cognito',
  authMethod: 'COGNITO',
  callbackPath: COGNITO_CALLBACK,
  scope: 'openid email profile',
});
