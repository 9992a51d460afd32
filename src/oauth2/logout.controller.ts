import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from '../common/http/http.js';
import { safeEqual } from '../common/crypto/tokens.js';
import { AppError } from '../common/errors/app-error.js';
import { ApiErrors, ApiHtmlPage } from '../common/http/api-docs.js';
import { readFormFields } from '../common/http/form-fields.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { AuthorizePages } from './authorize-pages.js';
import { LogoutConfirmationForm } from './dto/hosted-forms.dto.js';
import { SIGN_OUT_ERROR_PAGE } from './hosted-error.filter.js';
import { HostedSessionsService } from './hosted-sessions.service.js';
import { LogoutDone, LogoutService } from './logout.service.js';

/** Binds a logout confirmation to the browser that was shown it (a cross-site post carries no Strict cookie). */
const CONFIRM_COOKIE = 'oauth2_logout';

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * `/oauth2/logout`: logout redirect sessions and OpenID Connect RP-initiated logout. Errors are the
 * JSON body, or a small page when a browser navigates here (SIGN_OUT_ERROR_PAGE).
 */
@ApiTags('OAuth 2.0 / OpenID Connect')
@Controller('oauth2')
@UseFilters(SIGN_OUT_ERROR_PAGE)
export class LogoutController {
  private readonly pages: AuthorizePages;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logout: LogoutService,
    private readonly hostedSessions: HostedSessionsService,
  ) {
    this.pages = new AuthorizePages(config.publicUrl);
  }

  @Get('logout')
  @RateLimited()
  @ApiOperation({
    summary: 'End the session and go back to the client',
    description:
      'Open the logout `fullUrl` of a redirect session: the session of the member who created it ends (its refresh ' +
      'and access tokens stop working on every instance) and the browser goes to `postFlowUrl` (302), which must be ' +
      'registered. OpenID Connect RP-initiated logout is accepted too (`id_token_hint`, `post_logout_redirect_uri` ' +
      '(registered), `client_id`, `state`): with a valid, unexpired ID token of that client the session of the hint ' +
      'ends at once; with an expired hint, or only `client_id`, a small page asks the user to confirm (its form ' +
      "posts to POST /oauth2/logout). Either way the hosted-session cookie of the browser (when it is that user's) " +
      'ends too.',
  })
  @ApiQuery({ name: 'redirectSession', required: false })
  @ApiQuery({
    name: 'id_token_hint',
    required: false,
    description: 'An id_token this service issued (an access token is refused: 400 INVALID_REQUEST)',
  })
  @ApiQuery({ name: 'post_logout_redirect_uri', required: false })
  @ApiQuery({ name: 'client_id', required: false })
  @ApiQuery({ name: 'state', required: false })
  @ApiFoundResponse({ description: 'To postFlowUrl (or post_logout_redirect_uri, with state)' })
  @ApiHtmlPage(
    'The confirmation page, or a "signed out" page (RP-initiated logout without post_logout_redirect_uri)',
  )
  @ApiErrors(
    [400, 'INVALID_REDIRECT_SESSION | INVALID_REDIRECT_URI | INVALID_REQUEST'],
    [401, 'INVALID_CLIENT'],
    429,
  )
  async logoutGet(
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
    @Ctx() ctx: RequestContext,
  ): Promise<void> {
    const decision =
      query.redirectSession !== undefined
        ? await this.logout.byRedirectSession(query.redirectSession, ctx)
        : await this.logout.byIdTokenHint(query, ctx);
    if (decision.kind === 'done') return this.finish(req, res, decision, 302);
    res.header(
      'Set-Cookie',
      `${CONFIRM_COOKIE}=${decision.token}; Path=/oauth2/logout; Max-Age=600; HttpOnly; SameSite=Strict` +
        (this.config.publicUrl.startsWith('https:') ? '; Secure' : ''),
    );
    this.pages.logoutConfirmation(res, decision.clientName, decision.token, decision.location);
  }

  @Post('logout')
  @HttpCode(200)
  @RateLimited()
  @ApiOperation({
    summary: 'The "Sign out" button of the logout confirmation page',
    description:
      'Form field `confirm` (from the page, valid 10 minutes, once); the browser must carry the cookie the page set. ' +
      'Ends the session of the hint and the hosted session, then goes to post_logout_redirect_uri (303).',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ schema: { type: 'object', required: ['confirm'], properties: { confirm: { type: 'string' } } } })
  @ApiFoundResponse({ description: '303 to post_logout_redirect_uri' })
  @ApiHtmlPage('A "signed out" page')
  @ApiErrors([400, 'INVALID_REQUEST: unknown, spent or expired confirmation, or another browser'], 429)
  async logoutPost(
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
    @Ctx() ctx: RequestContext,
  ): Promise<void> {
    const token = readFormFields(LogoutConfirmationForm, body).confirm;
    const bound = cookie(req, CONFIRM_COOKIE);
    if (!token || !bound || !safeEqual(token, bound)) {
      throw new AppError(400, 'INVALID_REQUEST', 'This sign-out was not asked in this browser');
    }
    res.header('Set-Cookie', `${CONFIRM_COOKIE}=; Path=/oauth2/logout; Max-Age=0; HttpOnly; SameSite=Strict`);
    await this.finish(req, res, await this.logout.confirm(token, ctx), 303);
  }

  private async finish(req: Request, res: Response, done: LogoutDone, status: 302 | 303): Promise<void> {
    await this.hostedSessions.end(req, res, done.userId);
    res.header('Cache-Control', 'no-store');
    if (done.location) return res.redirect(done.location, status);
    this.pages.signedOut(res);
  }
}
