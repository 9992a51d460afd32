import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBody } from '../errors/error-body.js';

const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: 'BAD_REQUEST: the body is not JSON or has the wrong content type',
  401: 'UNAUTHORIZED: missing, invalid, expired or revoked Bearer token',
  403: 'FORBIDDEN: the token lacks the permission',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE: body over 100 KB',
  422: 'VALIDATION_FAILED: missing, mistyped or unknown fields (see `details`)',
  429: 'TOO_MANY_REQUESTS: over a rate limit (see Retry-After)',
  503: 'UNAVAILABLE: the database cannot be reached',
};

/**
 * Documents error answers with the shared error body. Pass a status, or `[status, description]`
 * to name the codes a route can answer (e.g. `[401, 'INVALID_CREDENTIALS | INVALID_CLIENT']`).
 */
export function ApiErrors(...errors: (number | [number, string])[]): MethodDecorator & ClassDecorator {
  const merged = new Map<number, string[]>();
  for (const e of errors) {
    const [status, description] = Array.isArray(e) ? e : [e, DEFAULT_DESCRIPTIONS[e] ?? String(e)];
    merged.set(status, [...(merged.get(status) ?? []), description]);
  }
  return applyDecorators(
    ...[...merged].map(([status, descriptions]) =>
      ApiResponse({ status, description: descriptions.join('; '), type: ErrorBody }),
    ),
  );
}

/** The errors every JSON-body route can answer. */
export const BODY_ERRORS: number[] = [400, 413, 422];
