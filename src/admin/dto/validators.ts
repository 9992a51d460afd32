import { buildMessage, ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';

/** Caller-chosen identifiers (tenant keys, clientIds, permissions): visible ASCII, no spaces. */
export const IDENTIFIER = /^[\x21-\x7e]+$/;
export const IDENTIFIER_MESSAGE = '$property must be visible ASCII characters without spaces';
const MAX_URL_LENGTH = 2048;
/** Schemes that run code or read local data in a browser or app: never a redirect target. */
const DANGEROUS_SCHEMES = new Set([
  'javascript:',
  'data:',
  'vbscript:',
  'file:',
  'blob:',
  'about:',
  'filesystem:',
]);

/**
 * Optional, but not nullable: `undefined` skips validation, `null` fails it. (`@IsOptional()`
 * also lets `null` through, which is right only for fields that accept null.)
 */
export const OptionalNotNull = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

function parse(value: unknown): URL | undefined {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH || /[\s\p{Cc}]/u.test(value)) {
    return undefined;
  }
  try {
    const url = new URL(value);
    if (DANGEROUS_SCHEMES.has(url.protocol) || url.username || url.password) return undefined;
    return url;
  } catch {
    return undefined;
  }
}

const isHttp = (raw: string, url: URL) => /^https?:\/\/[^/]/i.test(raw) && url.hostname !== '';

/**
 * A redirect URI (RFC 6749 3.1.2, RFC 8252 7.1): an absolute http(s) URL, or a custom-scheme app
 * URL (`com.example.app:/callback`, `myapp://callback`); never with a fragment or credentials.
 */
export function isRedirectUrl(value: unknown): boolean {
  const url = parse(value);
  const raw = value as string;
  if (!url || raw.includes('#')) return false;
  if (url.protocol === 'http:' || url.protocol === 'https:') return isHttp(raw, url);
  // A private-use scheme needs a path or authority after it: "localhost:3000" is a typo, not an app.
  return raw.slice(url.protocol.length).startsWith('/');
}

/** An origin as browsers send it: `scheme://host[:port]`, nothing after (a trailing slash is tolerated). */
export function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/[^/?#@\\]+\/?$/i.test(value)) return false;
  const url = parse(value);
  return url !== undefined && url.hostname !== '';
}

/** A page of the client's web app that mailed links open: absolute http(s), no fragment. */
export function isWebUrl(value: unknown): boolean {
  const url = parse(value);
  return url !== undefined && isHttp(value as string, url) && !(value as string).includes('#');
}

function urlRule(
  name: string,
  check: (value: unknown) => boolean,
  what: string,
  options?: ValidationOptions,
) {
  return ValidateBy(
    {
      name,
      validator: {
        validate: check,
        defaultMessage: buildMessage((each) => `${each}$property must be ${what}`, options),
      },
    },
    options,
  );
}

export const IsRedirectUrl = (options?: ValidationOptions) =>
  urlRule(
    'isRedirectUrl',
    isRedirectUrl,
    'an absolute http(s) URL or a custom-scheme app URL (myapp:/callback), without a fragment',
    options,
  );

export const IsOrigin = (options?: ValidationOptions) =>
  urlRule('isOrigin', isOrigin, 'an origin scheme://host[:port] without a path', options);

export const IsWebUrl = (options?: ValidationOptions) =>
  urlRule('isWebUrl', isWebUrl, 'an absolute http(s) URL without a fragment', options);
