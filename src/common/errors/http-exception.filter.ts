import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { requestPath, type Request, type Response } from '../http/http.js';
import { ThrottlerException } from '@nestjs/throttler';
import { AppError, describeWait } from './app-error.js';

/** Fastify's own refusals of a body (FST_ERR_CTP_*), which Nest wraps in an HttpException. */
function fastifyBodyError(exception: HttpException): string | undefined {
  const code = (exception.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('FST_ERR_CTP_') ? code : undefined;
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'BAD_REQUEST',
  422: 'VALIDATION_FAILED',
  429: 'TOO_MANY_REQUESTS',
  503: 'UNAVAILABLE',
};

/** Errors that mean "the database cannot be reached", answered 503 instead of 500. */
function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  const message = e?.message ?? '';
  return (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'ENOTFOUND',
      'EPIPE',
      '57P01',
      '57P02',
      '57P03',
      '08006',
      '08001',
      '08003',
    ].includes(e?.code ?? '') ||
    // pg's own errors have no code: a connection lost, or never made, in time; and a query on a
    // connection that already failed (a transaction whose connection the server terminated).
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|Connection refused|the database system is (starting|shutting) up|connection error and is not queryable/i.test(
      message,
    )
  );
}

export interface ErrorPayload {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  [extra: string]: unknown;
}

/** Maps anything thrown to the contract's error body. Unknown errors never leak their message. */
export function toErrorPayload(
  exception: unknown,
  logger?: Logger,
): { payload: ErrorPayload; retryAfter?: number } {
  const make = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) => ({
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    code,
    message,
    ...extra,
  });
  if (exception instanceof AppError) {
    const { retryAfter, ...extra } = exception.extra as { retryAfter?: number };
    return {
      payload: make(exception.getStatus(), exception.code, exception.message, extra),
      retryAfter,
    };
  }
  if (exception instanceof ThrottlerException) {
    return { payload: make(429, 'TOO_MANY_REQUESTS', 'Too many requests, try again later') };
  }
  if (exception instanceof HttpException) {
    const bodyError = fastifyBodyError(exception);
    if (bodyError === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return { payload: make(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large (limit 100 KB)') };
    }
    if (bodyError === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return { payload: make(400, 'BAD_REQUEST', 'Unsupported content type: send application/json') };
    }
    if (bodyError) return { payload: make(400, 'BAD_REQUEST', 'The request body could not be parsed') };
    // The body parser answers 415 for an unsupported charset or Content-Encoding; the contract
    // says a body of the wrong content type is 400 BAD_REQUEST.
    const status = exception.getStatus() === 415 ? 400 : exception.getStatus();
    const code = DEFAULT_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
    const message = status === 404 ? 'Not Found' : (STATUS_CODES[status] ?? 'Error');
    return { payload: make(status, code, message) };
  }
  if (isDatabaseUnavailable(exception)) {
    logger?.warn(`database unavailable: ${(exception as Error).message}`);
    return { payload: make(503, 'UNAVAILABLE', 'The service is temporarily unavailable'), retryAfter: 5 };
  }
  logger?.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  return { payload: make(HttpStatus.INTERNAL_SERVER_ERROR, 'INTERNAL_ERROR', 'Internal Server Error') };
}

/**
 * Makes every header of a 429 tell the same story as its body: `Retry-After` is the wait, and the
 * `X-RateLimit-*` headers that the per-IP throttler set earlier on this request (when it let the
 * request through, before a failed-attempt limit refused it) say no request is left until then.
 * `X-RateLimit-Limit` goes: it described the per-IP limit, not the one that refused.
 */
function rateLimitHeaders(
  res: Response,
  payload: ErrorPayload,
  exception: unknown,
  retryAfter: number | undefined,
): number | undefined {
  const header = Number(res.getHeader('Retry-After'));
  const seconds = retryAfter ?? (Number.isInteger(header) && header > 0 ? header : undefined);
  if (seconds === undefined) return undefined;
  if (exception instanceof ThrottlerException) {
    payload.message = `Too many requests from this address: try again in ${describeWait(seconds)}`;
  }
  res.removeHeader('X-RateLimit-Limit');
  res.header('X-RateLimit-Remaining', '0');
  res.header('X-RateLimit-Reset', String(seconds));
  return seconds;
}

/** The endpoints whose errors also carry RFC 6749's `error` and `error_description`. */
const OAUTH_ENDPOINTS = /^\/oauth2\/(token|revoke)\/?$/;

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const answer = toErrorPayload(exception, this.logger);
    const { payload } = answer;
    let { retryAfter } = answer;
    if (res.sent || res.raw.headersSent) {
      if (!res.raw.writableEnded) res.raw.end();
      return;
    }
    // RFC 6749 section 5.2 on the OAuth endpoints (API.md section 0): a body refused before the
    // handler (not JSON or a form, not an object, too large) is an `invalid_request` there too.
    if (
      OAUTH_ENDPOINTS.test(requestPath(req)) &&
      payload.error_description === undefined &&
      [400, 413, 422].includes(payload.statusCode)
    ) {
      if (payload.statusCode === 422) {
        payload.statusCode = 400;
        delete payload.details;
      }
      payload.error = 'invalid_request';
      payload.error_description = payload.message;
    }
    if (payload.statusCode === 429) retryAfter = rateLimitHeaders(res, payload, exception, retryAfter);
    if (retryAfter !== undefined) res.header('Retry-After', String(retryAfter));
    if (payload.statusCode === 401 && req.headers.authorization) {
      res.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      // RFC 6749 section 5.2: a client that authenticated with Basic gets a Basic challenge.
      if (OAUTH_ENDPOINTS.test(requestPath(req)) && /^Basic\s/i.test(req.headers.authorization)) {
        res.header('WWW-Authenticate', 'Basic realm="oauth2", charset="UTF-8"');
      }
    }
    res.status(payload.statusCode).send(payload);
  }
}
