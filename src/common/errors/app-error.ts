import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Every error this service answers on purpose. The global filter turns it into the contract's body:
 * `{statusCode, error, code, message, ...extra}`.
 */
export class AppError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message, status);
  }
}

/** The errors used across modules, so codes and messages stay the same everywhere. */
export const Errors = {
  badRequest: (message = 'Bad Request') => new AppError(HttpStatus.BAD_REQUEST, 'BAD_REQUEST', message),
  validation: (details: { field: string; message: string }[]) =>
    new AppError(HttpStatus.UNPROCESSABLE_ENTITY, 'VALIDATION_FAILED', 'Validation failed', { details }),
  unauthorized: (message = 'Unauthorized') => new AppError(HttpStatus.UNAUTHORIZED, 'UNAUTHORIZED', message),
  forbidden: (message = 'Forbidden') => new AppError(HttpStatus.FORBIDDEN, 'FORBIDDEN', message),
  notFound: (message = 'Not Found') => new AppError(HttpStatus.NOT_FOUND, 'NOT_FOUND', message),
  conflict: (code: string, message: string) => new AppError(HttpStatus.CONFLICT, code, message),
  invalidCredentials: () =>
    new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_CREDENTIALS', 'Invalid Credentials'),
  invalidClient: () => new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_CLIENT', 'Invalid client credentials'),
  invalidCode: () => new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_CODE', 'Invalid, expired or used code'),
  invalidToken: () =>
    new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_TOKEN', 'Invalid, expired or used token'),
  invalidMfaCode: () =>
    new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_MFA_CODE', 'Invalid, expired or already used MFA code'),
  invalidRefreshToken: () =>
    new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_REFRESH_TOKEN', 'Invalid or expired refresh token'),
  refreshTokenReused: () =>
    new AppError(
      HttpStatus.UNAUTHORIZED,
      'REFRESH_TOKEN_REUSED',
      'Refresh token was already used; the session has been revoked',
    ),
  mfaRequired: (extra: Record<string, unknown> = {}) =>
    new AppError(HttpStatus.UNAUTHORIZED, 'MFA_REQUIRED', 'A second factor is required', extra),
  membershipStatus: (status: string) =>
    new AppError(HttpStatus.FORBIDDEN, status, `The account is ${status.toLowerCase().replace(/_/g, ' ')}`),
  notAMember: () =>
    new AppError(HttpStatus.FORBIDDEN, 'NOT_A_MEMBER', 'The user is not a member of that tenant'),
  invalidPasskey: (message = 'The passkey was not accepted') =>
    new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_PASSKEY', message),
  weakPassword: (reason: string) => new AppError(HttpStatus.BAD_REQUEST, 'WEAK_PASSWORD', reason),
  tooManyRequests: (retryAfterSeconds: number, message = 'Too many requests, try again later') =>
    new AppError(HttpStatus.TOO_MANY_REQUESTS, 'TOO_MANY_REQUESTS', message, {
      retryAfter: retryAfterSeconds,
    }),
  unavailable: () =>
    new AppError(HttpStatus.SERVICE_UNAVAILABLE, 'UNAVAILABLE', 'The service is temporarily unavailable'),
};

/** "14 seconds" / "15 minutes": the wait of a 429 in words, rounded up (never shorter than Retry-After). */
export function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
