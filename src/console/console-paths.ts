import { CONSOLE_CLIENT_PREFIX } from '../identity/reserved-client-ids.js';

/** The clientId of a tenant's admin console (API.md section 14). */
export function consoleClientId(tenantId: string): string {
  return `${CONSOLE_CLIENT_PREFIX}${tenantId}`;
}

/** Where /oauth2/authorize sends the console's code back (under PUBLIC_URL). */
export const CONSOLE_CALLBACK_PATH = '/console/callback';
/** Where the console's sign-out lands (a registered postFlowUrl). */
export const CONSOLE_SIGNED_OUT_PATH = '/console/signed-out';
