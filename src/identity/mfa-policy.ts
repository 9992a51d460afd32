import { Injectable } from '@nestjs/common';
import type { User } from './entities/user.entity.js';
import type { AuthClient } from './entities/auth-client.entity.js';

/**
 * "Is a second factor due?" Every login path asks here. A user with a confirmed method, or any user
 * of a client with mfaRequired, must pass MFA before tokens are issued. Until the otp module lands,
 * such logins are refused with 401 MFA_REQUIRED and never get tokens.
 */
@Injectable()
export class MfaPolicy {
  isSecondFactorDue(user: User, client: AuthClient): boolean {
    return user.mfaEnabled || client.mfaRequired;
  }
}
