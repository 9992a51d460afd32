import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, getSchemaPath } from '@nestjs/swagger';
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

function mergeErrors(errors: (number | [number, string])[]): Map<number, string[]> {
  const merged = new Map<number, string[]>();
  for (const e of errors) {
    const [status, description] = Array.isArray(e) ? e : [e, DEFAULT_DESCRIPTIONS[e] ?? String(e)];
    merged.set(status, [...(merged.get(status) ?? []), description]);
  }
  return merged;
}

/**
 * Documents error answers with the shared error body. Pass a status, or `[status, description]`
 * to name the codes a route can answer (e.g. `[401, 'INVALID_CREDENTIALS | INVALID_CLIENT']`).
 */
export function ApiErrors(...errors: (number | [number, string])[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...[...mergeErrors(errors)].map(([status, descriptions]) =>
      ApiResponse({ status, description: descriptions.join('; '), type: ErrorBody }),
    ),
  );
}

const HTML = { 'text/html': { schema: { type: 'string' as const, description: 'An HTML page' } } };

/** A route answering an HTML page (hosted login, recovery form, ...): `text/html`, not JSON. */
export function ApiHtmlPage(description: string, status = 200): MethodDecorator {
  return ApiResponse({ status, description, content: HTML });
}

/**
 * The errors of a route that browsers open: a small HTML page for a browser (`Accept: text/html`),
 * the JSON error body for any other caller.
 */
export function ApiPageErrors(...errors: (number | [number, string])[]): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorBody),
    ...[...mergeErrors(errors)].map(([status, descriptions]) =>
      ApiResponse({
        status,
        description: `${descriptions.join('; ')} (an HTML page for browsers, the JSON error body otherwise)`,
        content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBody) } }, ...HTML },
      }),
    ),
  );
}

/** The errors every JSON-body route can answer. */
export const BODY_ERRORS: number[] = [400, 413, 422];

/** The `sessionToken` of a login answer (headless login, passkey login): SUCCESS only. */
export const SessionTokenProperty = (): PropertyDecorator =>
  ApiProperty({
    type: String,
    nullable: true,
    description: 'SUCCESS only: single use, valid 5 minutes; give it to POST /auth/v2/redirect-sessions',
  });
