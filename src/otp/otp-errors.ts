import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/errors/app-error.js';

/** The error codes of API.md sections 4 and 8 that only this module answers. */
export const OtpErrors = {
  invalidOtp: () =>
    new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_OTP', 'Invalid, expired or used one-time code'),
  invalidMfaCode: () =>
    new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_MFA_CODE', 'Invalid, expired or already used MFA code'),
  invalidToken: () =>
    new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_TOKEN', 'Invalid, expired or used token'),
  mfaAlreadyConfigured: () =>
    new AppError(
      HttpStatus.CONFLICT,
      'MFA_ALREADY_CONFIGURED',
      'The user already has a confirmed authenticator app; remove it first',
    ),
  proofRequired: () =>
    new AppError(
      HttpStatus.UNAUTHORIZED,
      'INVALID_CREDENTIALS',
      'The current password or a code of an existing MFA method is required',
    ),
};
