import { HttpException, type INestApplication } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import type { AppConfig } from '../../config/config.js';
import { Errors } from '../errors/app-error.js';
import { HttpExceptionFilter, toErrorPayload } from '../errors/http-exception.filter.js';
import { BODY_LIMIT, registerBodyParser } from './body-parser.js';
import { createValidationPipe } from './validation.js';

/**
 * The HTTP adapter of main.ts and the e2e tests: Fastify (Express capped the throughput of
 * `GET /auth/me` well below the goal). Its options are those Express had: `TRUST_PROXY` decides
 * whether `X-Forwarded-For` names the client, paths match whatever their case and with a trailing
 * slash, path parameters (tokens, ids) are not cut at Fastify's default 100 characters, and a
 * request has 300 s to arrive, as Node's default server gave Express.
 */
export function createHttpAdapter(config: AppConfig): FastifyAdapter {
  const headers = securityHeaders(config.publicUrl);
  return new FastifyAdapter({
    trustProxy: config.trustProxy,
    // The router refuses a malformed URL (bad percent-encoding) before any hook runs: answer it
    // with the security headers and the contract's 400 body, as the other refusals.
    frameworkErrors: (error: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
      reply.headers(headers);
      const status = error.statusCode ?? 500;
      const refusal =
        status === 400
          ? Errors.badRequest('The URL is not valid (malformed percent-encoding)')
          : status < 500
            ? new HttpException(STATUS_CODES[status] ?? 'Error', status)
            : (error as Error);
      const { payload } = toErrorPayload(refusal);
      void reply.code(payload.statusCode).send(payload);
    },
    bodyLimit: BODY_LIMIT,
    // Node's default for a plain http.Server (Express's), which Fastify would turn off.
    requestTimeout: 300_000,
    // As Express routed: case-insensitive paths (parameters keep their case), a trailing slash
    // ignored. Node's 16 KB header limit bounds the URL already: no parameter is refused as long.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
  });
}

/**
 * The security headers helmet sets with our options. They do not depend on the request, so helmet
 * runs once, here, and each request gets the same headers (set on the reply, so that a hosted page
 * can replace its CSP or drop X-Frame-Options).
 */
export function securityHeaders(publicUrl: string): Record<string, string> {
  const https = publicUrl.startsWith('https:');
  const headers: Record<string, string> = {};
  const middleware = helmet({
    contentSecurityPolicy: {
      directives: {
        'frame-ancestors': ["'none'"],
        // Upgrading subresources to https would break Swagger UI on a plain-http deployment.
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: https ? undefined : false,
  });
  const recorder = {
    setHeader: (name: string, value: unknown) => {
      headers[name] = String(value);
    },
    removeHeader: () => undefined,
  };
  middleware({} as never, recorder as never, () => undefined);
  return headers;
}

export interface CorsOptions {
  methods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  maxAge: number;
}

export const CORS: CorsOptions = {
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowedHeaders: ['Authorization', 'Content-Type', 'device_id', 'Device-Id', 'code', 'clientId'],
  exposedHeaders: ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
  maxAge: 600,
};

/**
 * CORS as the `cors` package answered it under Express: an `Origin` that `isOriginAllowed` accepts
 * gets `Access-Control-Allow-Origin` (itself), credentials and the exposed headers, and its
 * preflight (OPTIONS) is answered 204 with the methods, headers and max age; any other origin gets
 * no CORS header and the request goes on (a preflight then reaches the router, as before).
 */
function corsHook(isOriginAllowed: (origin: string) => Promise<boolean>, options: CorsOptions) {
  const methods = options.methods.join(',');
  const allowedHeaders = options.allowedHeaders.join(',');
  const exposedHeaders = options.exposedHeaders.join(',');
  const maxAge = String(options.maxAge);
  const answer = (req: FastifyRequest, reply: FastifyReply, origin: string, done: () => void) => {
    reply.header('Access-Control-Allow-Origin', origin);
    reply.header('Vary', 'Origin');
    reply.header('Access-Control-Allow-Credentials', 'true');
    reply.header('Access-Control-Expose-Headers', exposedHeaders);
    if (req.method !== 'OPTIONS') return done();
    reply.header('Access-Control-Allow-Methods', methods);
    reply.header('Access-Control-Allow-Headers', allowedHeaders);
    reply.header('Access-Control-Max-Age', maxAge);
    reply.header('Content-Length', '0');
    // Answered here: the request goes no further (done is not called).
    void reply.code(204).send();
  };
  // Callback style, so that a request without Origin (most of them) costs no promise.
  return (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const origin = req.headers.origin;
    if (!origin) return done();
    isOriginAllowed(origin).then(
      (allowed) => (allowed ? answer(req, reply, origin, done) : done()),
      () => done(),
    );
  };
}

/**
 * Everything about HTTP that main.ts and the e2e tests share: security headers, CORS from the
 * clients' allowedOrigins, body parsing, the validation pipe and the error filter. The app must
 * have been created with `createHttpAdapter`.
 */
export function configureApp(
  app: INestApplication,
  config: AppConfig,
  isOriginAllowed: (origin: string) => Promise<boolean>,
): void {
  const fastify = (app as NestFastifyApplication)
    .getHttpAdapter()
    .getInstance() as unknown as FastifyInstance;
  const headers = securityHeaders(config.publicUrl);
  fastify.addHook('onRequest', (_req, reply, done) => {
    reply.headers(headers);
    done();
  });
  fastify.addHook('onRequest', corsHook(isOriginAllowed, CORS));
  registerBodyParser(fastify);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
}
