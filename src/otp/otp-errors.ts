import { HttpStatus } from '@nestjs/common';
import { AppError, Errors } from '../common/errors/app-error.js';

/**
 * The error codes of API.md sections 4 and 8 this module answers (those the password grant of
 * oauth2 answers too live in the common Errors).
 */
export const OtpErrors = {
  invalidOtp: () =>
    new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_OTP', 'Invalid, expired or used one-time code'),
  invalidMfaCode: Errors.invalidMfaCode,
  invalidToken: Errors.invalidToken,
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
