import { Injectable, NestMiddleware } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { Errors } from '../errors/app-error.js';
import { findJsonSyntaxError } from './json-syntax.js';

export const BODY_LIMIT = '100kb';

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

const json = express.json({ limit: BODY_LIMIT, strict: true, type: () => true });
const form = express.urlencoded({
  limit: BODY_LIMIT,
  extended: false,
  parameterLimit: 200,
  type: () => true,
});

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
 * The 400 of a body that JSON.parse refused, saying where and why (body-parser's own message
 * differs between Node versions, may lack the position, and can quote the body). Never quotes it.
 */
function jsonParseError(err: unknown): unknown {
  const e = err as { type?: string; body?: unknown } | null;
  if (e?.type !== 'entity.parse.failed' || typeof e.body !== 'string') return err;
  const found = findJsonSyntaxError(e.body);
  if (!found) return Errors.badRequest('The body must be a JSON object');
  return Errors.badRequest(
    `The body is not valid JSON: ${found.problem} at line ${found.line}, column ${found.column} (offset ${found.offset})`,
  );
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Parses bodies as a Nest middleware (not Express's), so parse errors reach the global filter:
 * bad JSON or a wrong content type answers 400 BAD_REQUEST, over 100 KB 413 PAYLOAD_TOO_LARGE.
 */
@Injectable()
export class BodyParserMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    // A NUL (%00) in the path or the query would reach PostgreSQL text parameters and fail there.
    if (/%00/.test(req.originalUrl ?? req.url)) {
      return next(Errors.badRequest('The URL must not contain a NUL character (%00)'));
    }
    if (!hasBody(req)) {
      req.body = {};
      return next();
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    // Nest mounts this middleware at the matched route, so req.path is '/': use the full path.
    const path = (req.originalUrl ?? req.url).split('?')[0]!;
    let parser: typeof json;
    if (type === 'application/json' || type.endsWith('+json')) parser = json;
    else if (type === 'application/x-www-form-urlencoded' && FORM_ROUTES.some((r) => r.test(path)))
      parser = form;
    else return next(Errors.badRequest('Unsupported content type: send application/json'));
    parser(req, res, (err?: unknown) => {
      if (err) return next(parser === json ? jsonParseError(err) : err);
      if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
        return next(Errors.validation([{ field: 'body', message: 'the body must be a JSON object' }]));
      }
      const problem = bodyProblem(req.body, MAX_BODY_DEPTH);
      if (problem) return next(Errors.validation([problem]));
      next();
    });
  }
}
