import { oidcProvider } from '../../protocols/oidc.strategy.js';

/**
 * Azure AD / Entra ID as plain OpenID Connect (instead of the deprecated passport-azure-ad).
 * AZURE_ISSUER is a tenant's v2.0 issuer (https://login.microsoftonline.com/<tenant-id>/v2.0):
 * the multi-tenant `common` endpoint has no fixed issuer to verify tokens against. Entra ID sends
 * no `email_verified`, so its email never links to an existing user (API.md section 5).
 * The callback's extra `session_state` is ignored.
 */
export const azure = oidcProvider('azure', 'AZURE', '/auth/azure-oauth-redirect');
