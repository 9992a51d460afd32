import { parse as parseQueryString } from 'node:querystring';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, Errors } from '../errors/app-error.js';
import { findJsonSyntaxError } from './json-syntax.js';
import { contentType, requestPath } from './http.js';

/** 100 KB, as body-parser's `'100kb'` before: a larger body answers 413 PAYLOAD_TOO_LARGE. */
export const BODY_LIMIT = 100 * 1024;

/** At most this many fields in a form body (as body-parser's `parameterLimit` before). */
const PARAMETER_LIMIT = 200;

/**
 * Routes that also take `application/x-www-form-urlencoded` (API.md section 0): the social and
 * SAML start routes, Apple's form_post callback, the SAML ACS, the hosted recovery form and the
 * RFC 6749 endpoints. Every other route takes JSON only.
 */
export const FORM_ROUTES: RegExp[] = [
  /^\/auth\/(google|azure|oauth-apple|cognito|facebook|instagram|keycloak|saml)\/?$/,
  /^\/auth\/apple-oauth-redirect\/?$/,
  /^\/auth\/saml-redirect\/?$/,
  /^\/auth\/v2\/recovery\/reset\/?$/,
  /^\/oauth2\/(token|revoke)\/?$/,
  // The hosted login form of /oauth2/authorize (and the standard request as a form post), the
  // logout confirmation, and RFC 6750's form-encoded access token at userinfo.
  /^\/oauth2\/(authorize|logout|userinfo)\/?$/,
];

/** Deeper than any real body; the validation pipe (class-transformer) recurses and overflows the stack on a bomb. */
export const MAX_BODY_DEPTH = 32;

/** Half of a UTF-16 pair without the other half: not Unicode text (validator's isEmail throws on it). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Keys class-transformer drops without a word (they could reach prototypes): left to the
 * validation pipe they would be ignored, where any other unknown field is a 422.
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor']);

/** What is wrong with one string of a body (a key or a value), if anything. */
function stringProblem(s: string): string | undefined {
  // PostgreSQL refuses NUL in text: "invalid byte sequence for encoding UTF8: 0x00".
  if (s.includes('\u0000')) return 'must not contain a NUL character';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode (no lone surrogate)';
  return undefined;
}

/**
 * What is wrong with a parsed body, if anything: nesting deeper than `max` (checked iteratively,
 * so a bomb cannot overflow the stack here), a reserved key, or a key or string that no text
 * column or validator can take (NUL, lone surrogates).
 */
function bodyProblem(value: unknown, max: number): { field: string; message: string } | undefined {
  const stack: [unknown, number, string][] = [[value, 0, '']];
  while (stack.length) {
    const [v, depth, field] = stack.pop()!;
    if (typeof v === 'string') {
      const message = stringProblem(v);
      if (message) return { field: field || 'body', message };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return { field: 'body', message: `nested deeper than ${max} levels` };
    for (const [key, child] of Object.entries(v)) {
      const path = field ? `${field}.${key}` : key;
      if (RESERVED_KEYS.has(key)) return { field: path, message: `${key} is not an accepted field name` };
      const message = stringProblem(key);
      if (message) return { field: field || 'body', message: `a key ${message}` };
      stack.push([child, depth + 1, path]);
    }
  }
  return undefined;
}

/**
 * The 400 of a body that JSON.parse refused, saying where and why (JSON.parse's own message differs
 * between Node versions, may lack the position, and can quote the body). Never quotes it.
 */
function jsonParseError(text: string): AppError {
  const found = findJsonSyntaxError(text);
  if (!found) return Errors.badRequest('The body must be a JSON object');
  return Errors.badRequest(
    `The body is not valid JSON: ${found.problem} at line ${found.line}, column ${found.column} (offset ${found.offset})`,
  );
}

/** The 413 of a body over the limit (also after decompression). */
export function bodyTooLarge(): AppError {
  return new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large (limit 100 KB)');
}

/** The body as sent before its `Content-Encoding` (gzip, deflate, br), within the body limit. */
function decode(req: FastifyRequest, raw: Buffer): Buffer {
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  const options = { maxOutputLength: BODY_LIMIT };
  try {
    switch (encoding) {
      case 'identity':
      case '':
        return raw;
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(raw, options);
      case 'deflate':
        return inflateSync(raw, options);
      case 'br':
        return brotliDecompressSync(raw, options);
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw bodyTooLarge();
    throw Errors.badRequest('The request body could not be parsed');
  }
  throw Errors.badRequest(`Unsupported content encoding "${encoding.slice(0, 40)}"`);
}

/** The `charset` parameter of the content type, lower case, or undefined without one. */
function charsetOf(req: FastifyRequest): string | undefined {
  const header = String(req.headers['content-type'] ?? '');
  const match = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(header);
  return match ? match[1]!.toLowerCase() : undefined;
}

/** JSON bodies may be UTF-8 or UTF-16 (as body-parser took them); forms UTF-8 only. */
function text(req: FastifyRequest, body: Buffer, isJson: boolean): string {
  const charset = charsetOf(req) ?? 'utf-8';
  if (charset === 'utf-8' || charset === 'utf8') return body.toString('utf8');
  if (isJson && ['utf-16', 'utf-16le', 'utf-16be'].includes(charset)) {
    return new TextDecoder(charset).decode(body);
  }
  throw Errors.badRequest(`Unsupported charset "${charset.slice(0, 40).toUpperCase()}"`);
}

function parseJson(source: string): unknown {
  // As body-parser's strict mode: an object or an array, nothing else.
  const first = /^[ \t\n\r]*(.)/.exec(source)?.[1];
  if (first !== '{' && first !== '[') throw jsonParseError(source);
  try {
    return JSON.parse(source);
  } catch {
    throw jsonParseError(source);
  }
}

function parseForm(source: string): unknown {
  let fields = 0;
  for (let i = source.indexOf('&'); i !== -1; i = source.indexOf('&', i + 1)) {
    if (++fields >= PARAMETER_LIMIT) throw Errors.badRequest('The request body could not be parsed');
  }
  return parseQueryString(source);
}

/**
 * The whole request body, parsed the one way this service takes it: JSON everywhere, a form on
 * FORM_ROUTES only. Bad JSON or a wrong content type answers 400 BAD_REQUEST, a body over 100 KB
 * 413 PAYLOAD_TOO_LARGE, anything but an object or a string no column can take 422.
 */
function parseBody(req: FastifyRequest, raw: Buffer): unknown {
  const type = contentType(req);
  const isJson = type === 'application/json' || type.endsWith('+json');
  const isForm =
    !isJson &&
    type === 'application/x-www-form-urlencoded' &&
    FORM_ROUTES.some((r) => r.test(requestPath(req)));
  if (!isJson && !isForm) throw Errors.badRequest('Unsupported content type: send application/json');
  if (raw.length === 0) return {};
  const decoded = decode(req, raw);
  if (decoded.length === 0) return {};
  const source = text(req, decoded, isJson);
  const body = isJson ? parseJson(source) : parseForm(source);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw Errors.validation([{ field: 'body', message: 'the body must be a JSON object' }]);
  }
  const problem = bodyProblem(body, MAX_BODY_DEPTH);
  if (problem) throw Errors.validation([problem]);
  return body;
}

/**
 * Replaces Fastify's body parsers with `parseBody` for every content type (errors reach the global
 * filter through Nest's error handler), refuses a NUL (%00) in the URL before routing goes on, and
 * gives bodiless requests `{}` as their body (as the Express middleware did).
 */
export function registerBodyParser(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (req, raw, done) => {
    try {
      done(null, parseBody(req, raw as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  fastify.addHook('onRequest', (req, _reply, done) => {
    // A NUL (%00) in the path or the query would reach PostgreSQL text parameters and fail there.
    if (req.url.includes('%00'))
      return done(Errors.badRequest('The URL must not contain a NUL character (%00)'));
    done();
  });
  fastify.addHook('preValidation', (req, _reply, done) => {
    if (req.body === undefined) req.body = {};
    done();
  });
}
