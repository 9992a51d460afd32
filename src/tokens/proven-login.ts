import type { AuthClient, User } from '../identity/identity.types.js';

/** The answer of POST /auth/v2/login (API.md section 7). */
export interface LoginStateAnswer {
  state: 'SUCCESS' | 'REQUIRE_EMAIL_VERIFICATION' | 'REQUIRE_OWNER_APPROVAL';
  sessionToken: string | null;
  stateToken: string | null;
  identity: { id: string; email: string; status: string };
}

/**
 * Finishes a headless sign-in whose user proved both factors at once (a passkey, API.md section
 * 13): the membership rules of section 7 (email verification, owner approval, locked or disabled
 * memberships), then the `/auth/v2/login` answer with a sessionToken whose session records
 * `authMethod`. Defined here, implemented by the headless-login module (which owns those rules and
 * the email verification flow), so a feature that proves a user needs not import it.
 */
export interface ProvenLogin {
  answer(user: User, client: AuthClient, authMethod: string): Promise<LoginStateAnswer>;
}

export const PROVEN_LOGIN = Symbol('PROVEN_LOGIN');
