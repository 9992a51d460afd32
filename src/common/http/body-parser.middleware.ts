import { Injectable, NestMiddleware } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { Errors } from '../errors/app-error.js';

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
  // The hosted login form of /oauth2/authorize (a plain HTML form post).
  /^\/oauth2\/authorize\/?$/,
];

const json = express.json({ limit: BODY_LIMIT, strict: true, type: () => true });
const form = express.urlencoded({
  limit: BODY_LIMIT,
  extended: false,
  parameterLimit: 200,
  type: () => true,
});

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
      if (err) return next(err);
      if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
        return next(Errors.validation([{ field: 'body', message: 'the body must be a JSON object' }]));
      }
      next();
    });
  }
}
