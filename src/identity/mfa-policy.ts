import { Injectable } from '@nestjs/common';
import type { AuthClient, User } from './identity.types.js';

/**
 * "Is a second factor due?" Every login path asks here. A user with a confirmed method, or any user
 * of a client with mfaRequired, must pass MFA before tokens are issued: such logins get an
 * MFA-pending code or 401 MFA_REQUIRED, and only the otp module's second-factor checks finish them.
 */
@Injectable()
export class MfaPolicy {
  isSecondFactorDue(user: User, client: AuthClient): boolean {
    return user.mfaEnabled || client.mfaRequired;
  }
}
