import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from '../common/http/http.js';
import { toErrorPayload } from '../common/errors/http-exception.filter.js';

/**
 * The headless revoke routes answer failures with the usual error body plus `"success": false`
 * (API.md section 9, seed 000's `{success: false, message}`). Used on those routes only, in place
 * of the global filter, with the same headers.
 */
@Catch()
export class SuccessFalseFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    const { payload, retryAfter } = toErrorPayload(exception, this.logger);
    if (res.sent || res.raw.headersSent) {
      if (!res.raw.writableEnded) res.raw.end();
      return;
    }
    if (retryAfter !== undefined) res.header('Retry-After', String(retryAfter));
    if (payload.statusCode === 401 && req.headers.authorization) {
      res.header('WWW-Authenticate', 'Bearer error="invalid_token"');
    }
    res.status(payload.statusCode).send({ ...payload, success: false });
  }
}
