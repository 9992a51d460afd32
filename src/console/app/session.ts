import {
  ApiError,
  AuthClient,
  buildAuthorizeUrl,
  createPkcePair,
  createState,
  parseAuthorizeCallback,
} from '@auth-bff/sdk';
import { consoleRoot, PageConfig, Tenant } from './config.ts';

/**
 * Signing in: the console is a public OAuth client (`console:<tenantId>`) of the service. It sends
 * the browser to /oauth2/authorize (the hosted page: password, MFA, passkeys) with PKCE and gets a
 * code back on /console/callback, which the SDK exchanges for tokens. The tokens live in this
 * page's memory only (the SDK's default MemoryTokenStorage): a reload signs in again, first with
 * `prompt=none` (silent where the service still has a signed-in browser session, else it answers
 * `login_required` and the console asks for a normal sign-in; a service that ignores `prompt`
 * simply shows its sign-in page). Only the PKCE verifier and state of one pending sign-in cross
 * the redirect, in sessionStorage, and are removed the moment the callback reads them.
 */
const PENDING_KEY = 'auth-bff-console:pending-sign-in';
/** Answers to `prompt=none` that mean "ask the user" rather than "something is broken". */
const INTERACTION_NEEDED = new Set([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);

interface PendingSignIn {
  state: string;
  codeVerifier: string;
  clientId: string;
  tenant: Tenant;
  returnTo: string;
  silent: boolean;
}

export interface Me {
  id: string;
  email: string | null;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  tenantId: string;
  role: string | null;
  permissions: string[];
}

export interface Session {
  client: AuthClient;
  tenant: Tenant;
  me: Me;
}

export const MANAGE_AUTH = 'ManageAuth';
export const VIEW_LOGIN_ACTIVITY = 'ViewLoginActivity';

export const can = (session: Session, permission: string) => session.me.permissions.includes(permission);

export async function startSignIn(
  config: PageConfig,
  tenant: Tenant,
  clientId: string,
  returnTo: string,
  silent: boolean,
): Promise<void> {
  const pkce = await createPkcePair();
  const pending: PendingSignIn = {
    state: createState(),
    codeVerifier: pkce.codeVerifier,
    clientId,
    tenant,
    returnTo,
    silent,
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  location.assign(
    buildAuthorizeUrl({
      baseUrl: config.baseUrl,
      clientId,
      redirectUri: config.redirectUri,
      codeChallenge: pkce.codeChallenge,
      state: pending.state,
      scope: 'openid offline_access',
      prompt: silent ? 'none' : undefined,
    }),
  );
}

export type CallbackOutcome =
  | { kind: 'session'; session: Session; returnTo: string }
  | { kind: 'redirecting' }
  | { kind: 'error'; message: string; tenant: Tenant | null };

/** Finishes the sign-in on /console/callback. */
export async function completeSignIn(config: PageConfig): Promise<CallbackOutcome> {
  const callback = parseAuthorizeCallback(location.href);
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  // The code must not stay in the address bar or the history.
  history.replaceState(null, '', `${consoleRoot(config)}/callback`);
  let pending: PendingSignIn | null = null;
  try {
    pending = raw ? (JSON.parse(raw) as PendingSignIn) : null;
  } catch {
    pending = null;
  }
  if (!pending || !callback.state || callback.state !== pending.state) {
    return {
      kind: 'error',
      message: 'This sign-in was not started from this browser tab, or it was already used. Start again.',
      tenant: pending?.tenant ?? null,
    };
  }
  if (callback.error) {
    if (pending.silent && INTERACTION_NEEDED.has(callback.error)) {
      await startSignIn(config, pending.tenant, pending.clientId, pending.returnTo, false);
      return { kind: 'redirecting' };
    }
    return {
      kind: 'error',
      message: callback.errorDescription ?? `The sign-in was refused (${callback.error}).`,
      tenant: pending.tenant,
    };
  }
  if (!callback.code)
    return { kind: 'error', message: 'The sign-in answer had no code.', tenant: pending.tenant };
  const client = new AuthClient({ baseUrl: config.baseUrl, clientId: pending.clientId });
  try {
    await client.auth.exchangeCode({
      code: callback.code,
      codeVerifier: pending.codeVerifier,
      redirectUri: config.redirectUri,
    });
    const me = await client.raw.get<Me>('/auth/me');
    return { kind: 'session', session: { client, tenant: pending.tenant, me }, returnTo: pending.returnTo };
  } catch (err) {
    const message = err instanceof ApiError ? err.message : String(err);
    return {
      kind: 'error',
      message: `The sign-in could not be finished: ${message}`,
      tenant: pending.tenant,
    };
  }
}

/** Ends the session on the service and lands on the signed-out page. */
export async function signOut(config: PageConfig, session: Session): Promise<void> {
  try {
    const url = await session.client.auth.logout(config.signedOutUrl);
    location.assign(url);
  } catch {
    await session.client.auth.clearTokens();
    location.assign(config.signedOutUrl);
  }
}
