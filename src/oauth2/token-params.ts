import { invalidRequest } from './oauth-errors.js';

/**
 * Reads one parameter of an /oauth2/token or /oauth2/revoke body, in its camelCase (seed 002's
 * JSON) or RFC 6749 snake_case spelling. Unknown parameters are never looked at (RFC 6749 section
 * 3.2: ignored); an empty value counts as absent; a repeated or non-string value, or the two
 * spellings disagreeing, is `invalid_request`.
 */
export function param(
  body: Record<string, unknown>,
  snake: string,
  camel?: string,
  maxLength = 2048,
): string | undefined {
  let found: string | undefined;
  for (const name of camel && camel !== snake ? [camel, snake] : [snake]) {
    const value = body[name];
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) throw invalidRequest(`${snake} must not be repeated`);
    if (typeof value !== 'string') throw invalidRequest(`${snake} must be a string`);
    if (value.length > maxLength) throw invalidRequest(`${snake} is too long`);
    if (value.includes('\u0000')) throw invalidRequest(`${snake} must not contain NUL characters`);
    if (found !== undefined && found !== value) {
      throw invalidRequest(`${camel} and ${snake} disagree`);
    }
    found = value;
  }
  return found;
}

export function requiredParam(body: Record<string, unknown>, snake: string, camel?: string): string {
  const value = param(body, snake, camel);
  if (value === undefined) throw invalidRequest(`${camel ?? snake} is required`);
  return value;
}

/** The credentials of `Authorization: Basic` (RFC 6749 section 2.3.1), form-urlencoded inside. */
export interface BasicCredentials {
  clientId: string;
  clientSecret: string;
}

export function parseBasic(header: string | undefined): BasicCredentials | undefined {
  if (!header || !/^Basic\s/i.test(header)) return undefined;
  const decoded = Buffer.from(header.replace(/^Basic\s+/i, '').trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidRequest('Malformed Basic credentials');
  try {
    const clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const clientSecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    if (!clientId) throw invalidRequest('Malformed Basic credentials');
    return { clientId, clientSecret };
  } catch {
    throw invalidRequest('Malformed Basic credentials');
  }
}
