import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from '../common/http/http.js';
import { AppError } from '../common/errors/app-error.js';
import { HttpExceptionFilter } from '../common/errors/http-exception.filter.js';
import { messagePage, newNonce, sendPage, wantsHtml } from '../common/http/hosted-page.js';

/**
 * The errors of the browser pages (/oauth2/authorize, /oauth2/logout) that are not the client's to
 * hear (OAuth errors for a known redirect URI are redirected by the handlers themselves): a
 * browser navigating here gets a small page; API callers, and every 5xx, get the contract's JSON
 * body as from the global filter.
 */
@Catch()
export class HostedErrorFilter implements ExceptionFilter {
  private readonly json = new HttpExceptionFilter();

  constructor(
    private readonly title: string,
    /** Said after the error's message. */
    private readonly advice: string,
  ) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    if (!(err instanceof AppError) || err.getStatus() >= 500 || !wantsHtml(http.getRequest<Request>())) {
      return this.json.catch(err, host);
    }
    const nonce = newNonce();
    const advice = this.advice ? ` ${this.advice}` : '';
    sendPage(res, err.getStatus(), messagePage(nonce, this.title, `${err.message}.${advice}`), { nonce });
  }
}

/** For /oauth2/authorize: "This sign-in cannot continue". */
export const SIGN_IN_ERROR_PAGE = new HostedErrorFilter(
  'This sign-in cannot continue',
  'Go back to the application and try again.',
);

/** For /oauth2/logout: "This sign-out cannot continue". */
export const SIGN_OUT_ERROR_PAGE = new HostedErrorFilter('This sign-out cannot continue', '');
