import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/errors/app-error.js';

/** The errors of API.md section 5 (codes and messages stay the same everywhere). */
export const SocialErrors = {
  invalidState: () =>
    new AppError(
      HttpStatus.UNAUTHORIZED,
      'INVALID_STATE',
      'The login state is missing, unknown, spent or foreign',
    ),
  providerError: (reason?: string) =>
    new AppError(
      HttpStatus.UNAUTHORIZED,
      'PROVIDER_ERROR',
      reason ? `The identity provider login failed: ${reason}` : 'The identity provider login failed',
    ),
  userNotFound: () =>
    new AppError(
      HttpStatus.UNAUTHORIZED,
      'USER_NOT_FOUND',
      'No user matches this login and sign-up is closed',
    ),
  accountExists: () =>
    new AppError(
      HttpStatus.CONFLICT,
      'ACCOUNT_EXISTS',
      'An account with this email already exists: sign in with your password, or reset it, to link this provider',
    ),
  providerNotConfigured: (provider: string) =>
    new AppError(HttpStatus.NOT_FOUND, 'PROVIDER_NOT_CONFIGURED', `The ${provider} login is not configured`),
  invalidRedirectUri: () =>
    new AppError(
      HttpStatus.BAD_REQUEST,
      'INVALID_REDIRECT_URI',
      "redirect_uri must be one of the client's redirectUrls",
    ),
};
