import type { MfaChallenge } from './models.js';

/** The service's error body (API.md section 0), plus whatever a route adds (`details`, `mfa`, `success`). */
export interface ErrorBody {
  statusCode: number;
  error?: string;
  /** Stable UPPER_SNAKE_CASE identifier, e.g. `INVALID_CREDENTIALS`. */
  code: string;
  message: string;
  details?: { field: string; message: string }[];
  [extra: string]: unknown;
}

/**
 * Any non-2xx answer. `statusCode` is 0 when the service could not be reached (`NETWORK_ERROR`);
 * an answer that was not the JSON error body gets the code `HTTP_<status>`.
 */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  readonly statusCode: number;
  readonly code: string;
  /** The parsed error body. */
  readonly response: ErrorBody;

  constructor(statusCode: number, code: string, message: string, response?: ErrorBody) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.response = response ?? { statusCode, code, message };
  }
}

/** The body of a 401 `MFA_REQUIRED`: the password grant adds the challenge to answer with `confirmMfa`. */
export interface MfaRequiredBody extends ErrorBody {
  code: 'MFA_REQUIRED';
  /** The challenge of the password grant (`auth.authenticate`); absent on routes that have none. */
  mfa?: MfaChallenge;
}

/** Thrown for every 401 `MFA_REQUIRED`; `response.mfa` holds the challenge of the password grant. */
export class MfaRequiredError extends ApiError {
  override readonly name: string = 'MfaRequiredError';
  declare readonly response: MfaRequiredBody;

  constructor(response: MfaRequiredBody) {
    super(401, 'MFA_REQUIRED', response.message, response);
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  const v = value as Partial<ErrorBody> | null;
  return typeof v === 'object' && v !== null && typeof v.code === 'string' && typeof v.message === 'string';
}

/** The error a non-2xx answer rejects with. */
export function toApiError(status: number, body: unknown): ApiError {
  if (!isErrorBody(body)) {
    const message = typeof body === 'string' && body ? body.slice(0, 200) : `HTTP ${status}`;
    return new ApiError(status, `HTTP_${status}`, message, {
      statusCode: status,
      code: `HTTP_${status}`,
      message,
    });
  }
  const full: ErrorBody = {
    ...body,
    statusCode: typeof body.statusCode === 'number' ? body.statusCode : status,
  };
  if (full.code === 'MFA_REQUIRED') return new MfaRequiredError(full as MfaRequiredBody);
  return new ApiError(status, full.code, full.message, full);
}
