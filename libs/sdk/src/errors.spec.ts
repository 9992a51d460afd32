import { describe, expect, it } from 'vitest';
import { ApiError, MfaRequiredError, toApiError } from './errors.js';

describe('errors', () => {
  it('maps the contract body to ApiError', () => {
    const err = toApiError(409, {
      statusCode: 409,
      error: 'Conflict',
      code: 'EMAIL_ALREADY_EXISTS',
      message: 'taken',
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(MfaRequiredError);
    expect(err).toMatchObject({
      name: 'ApiError',
      statusCode: 409,
      code: 'EMAIL_ALREADY_EXISTS',
      message: 'taken',
    });
  });

  it('maps MFA_REQUIRED with its challenge to MfaRequiredError (section 8 shape)', () => {
    const body = {
      statusCode: 401,
      error: 'Unauthorized',
      code: 'MFA_REQUIRED',
      message: 'A second factor is required',
      mfa: { token: 'mfa-token', methods: [{ id: 'm1', type: 'totp', name: 'Authenticator' }] },
    };
    const err = toApiError(401, body);
    expect(err).toBeInstanceOf(MfaRequiredError);
    expect(err).toBeInstanceOf(ApiError);
    const { mfa } = (err as MfaRequiredError).response;
    expect(mfa?.methods[0]?.id).toBe('m1');
    expect(mfa?.token).toBe('mfa-token');
    expect(err.name).toBe('MfaRequiredError');
  });

  it('keeps answers that are not the error body', () => {
    expect(toApiError(502, '<html>Bad gateway</html>')).toMatchObject({ statusCode: 502, code: 'HTTP_502' });
    expect(toApiError(500, undefined)).toMatchObject({
      statusCode: 500,
      code: 'HTTP_500',
      message: 'HTTP 500',
    });
  });
});
