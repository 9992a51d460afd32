import { oidcProvider } from '../../protocols/oidc.strategy.js';

/**
 * Amazon Cognito user pools are OpenID Connect; COGNITO_ISSUER is
 * https://cognito-idp.<region>.amazonaws.com/<user-pool-id>, whose discovery document points at
 * the pool's hosted-UI domain for the authorize and token endpoints.
 */
export const cognito = oidcProvider('cognito', 'COGNITO', '/auth/cognito-auth-redirect');
