import { Injectable } from '@nestjs/common';
import type { AuthClient, User } from '../identity/identity.types.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { MfaPolicy } from '../identity/mfa-policy.js';

/** Why a user who proved who they are still gets no code (shown on the hosted page, or sent to the client). */
export interface Refusal {
  /** The OAuth error sent back to the client. */
  error: 'access_denied' | 'interaction_required';
  /** The HTTP status of the hosted page. */
  status: number;
  message: string;
}

const STATUS_MESSAGES: Record<string, string> = {
  PENDING_VERIFICATION: 'Your email address is not verified yet. Verify it from the app, then sign in again.',
  PENDING_APPROVAL:
    'Your membership is waiting for approval by the owner. You can sign in once it is approved.',
  LOCKED: 'This account is locked.',
  DISABLED: 'This account is disabled.',
};

/**
 * Whether a user who signed in (on the hosted page, through a sessionToken or a hosted session)
 * may get a code of /oauth2/authorize for a client: an ACTIVE member of its tenant, with a
 * verified email where the client asks for one.
 */
@Injectable()
export class SignInRules {
  constructor(
    private readonly memberships: MembershipsService,
    private readonly mfa: MfaPolicy,
  ) {}

  /** Whether this user may get a code for this client now; the reason when not. */
  async refusalFor(user: User, client: AuthClient): Promise<Refusal | null> {
    const membership = await this.memberships.find(user.id, client.tenantId);
    if (!membership) {
      return {
        error: 'access_denied',
        status: 403,
        message: 'This account has no access to this application.',
      };
    }
    if (membership.status !== 'ACTIVE') {
      return {
        error: 'access_denied',
        status: 403,
        message: STATUS_MESSAGES[membership.status] ?? 'This account cannot sign in.',
      };
    }
    if (client.requireEmailVerification && !user.emailVerified) {
      return { error: 'access_denied', status: 403, message: STATUS_MESSAGES.PENDING_VERIFICATION! };
    }
    return null;
  }

  /** Refusals, and for a bound session (no page to ask on) a due second factor too. */
  async refusalWithoutMfaStep(user: User, client: AuthClient): Promise<Refusal | null> {
    const refusal = await this.refusalFor(user, client);
    if (refusal || !this.mfa.isSecondFactorDue(user, client)) return refusal;
    return {
      error: 'interaction_required',
      status: 401,
      message: 'This account must confirm a second factor. Sign in again to enter it.',
    };
  }
}
