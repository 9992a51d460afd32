import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiFoundResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from '../common/http/http.js';
import { AppError, describeWait } from '../common/errors/app-error.js';
import { ApiErrors, ApiHtmlPage } from '../common/http/api-docs.js';
import { readFormFields } from '../common/http/form-fields.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { AuthClient } from '../identity/identity.types.js';
import type { AuthorizationTarget } from './auth-request.js';
import { AuthorizePages } from './authorize-pages.js';
import { HostedLoginForm } from './dto/hosted-forms.dto.js';
import { AuthorizeOutcome, AuthorizeService, FinalOutcome } from './authorize.service.js';
import {
  HOSTED_SESSION_COOKIE,
  HOSTED_SESSION_TTL_S,
  HostedSessionsService,
} from './hosted-sessions.service.js';
import { SIGN_IN_ERROR_PAGE } from './hosted-error.filter.js';
import { HostedPasskeys } from './hosted-passkey.js';
import { invalidRedirectSession, RedirectSessionsService } from './redirect-sessions.service.js';
import type { SignInOptions } from './standard-request.js';

/** A redirect session of the API asks nothing of the sign-in: no prompt, no max_age. */
const NO_OPTIONS: SignInOptions = { prompt: new Set(), maxAge: null };

export const HOSTED_SESSION_DOC =
  `After a sign-in on the hosted page (or a redirect session bound by a sessionToken) the browser gets the ` +
  `hosted-session cookie \`${HOSTED_SESSION_COOKIE}\` (HttpOnly, SameSite=Lax, Path=/oauth2, Secure when PUBLIC_URL ` +
  `is https; a random token, stored only as its SHA-256) for ${HOSTED_SESSION_TTL_S / 3600} hours from the sign-in. ` +
  'A later request of that browser for a client of the same tenant, where the user is an ACTIVE member, answers the ' +
  'code without the form, unless `prompt=login` (or `select_account`) or an exceeded `max_age` asks for a fresh ' +
  'sign-in, or a second factor is due that this sign-in did not prove. It ends at /oauth2/logout and when all of ' +
  "the user's sessions end (password reset, ...). Browsers send a SameSite=Lax cookie to a frame only when the " +
  "framing page is on the same site as this service; a cross-site frame's silent sign-in answers login_required.";

/**
 * The browser side of the authorization server: `/oauth2/authorize` (redirect sessions, the
 * standard request, the hosted login page and the hosted session). Answers are pages and
 * redirects; errors before the client and its redirect URI are known are the contract's JSON
 * body, or a small page when a browser navigates here (SIGN_IN_ERROR_PAGE), and are never
 * redirected.
 */
@ApiTags('OAuth 2.0 / OpenID Connect')
@Controller('oauth2')
@UseFilters(SIGN_IN_ERROR_PAGE)
export class AuthorizeController {
  private readonly pages: AuthorizePages;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly authorize: AuthorizeService,
    private readonly redirectSessions: RedirectSessionsService,
    private readonly hostedSessions: HostedSessionsService,
    private readonly hostedPasskeys: HostedPasskeys,
  ) {
    this.pages = new AuthorizePages(config.publicUrl);
  }

  @Get('authorize')
  @RateLimited()
  @ApiOperation({
    summary: 'Authorization endpoint: redirect sessions and the standard OAuth 2.0 / OpenID Connect request',
    description:
      'Open the `fullUrl` of a redirect session, or send the standard request (`response_type=code`, `client_id`, ' +
      '`redirect_uri` (required with `openid`), `code_challenge` + `code_challenge_method=S256`, `state`, `scope`, ' +
      '`nonce`, `response_mode`, `prompt`, `max_age`, `id_token_hint`, `login_hint`; also as a form POST). ' +
      'A code goes to the client as `query` or `fragment` (302 to the redirect URI with `code`, `state` and `iss`) or ' +
      "as `web_message` (an HTML page whose script posts `{code, state, iss}` to the redirect URI's origin only, " +
      "framable by the client's allowedOrigins only). A session bound to a member by a sessionToken answers the code " +
      'at once. ' +
      HOSTED_SESSION_DOC +
      ' Otherwise `query` and `fragment` get a minimal hosted login page (email and password, then the code of the ' +
      "authenticator app or a recovery code when a second factor is due), never framable (frame-ancestors 'none', " +
      'X-Frame-Options DENY); `prompt=none` and `web_message` never show a page: they answer `error=login_required` ' +
      '(with `state` and `iss`). Errors of a request whose client and redirect URI are known (unsupported ' +
      'response_type, unknown scope, missing or plain PKCE, bad prompt or max_age, request objects) go to the ' +
      'redirect URI as `error`, `error_description`, `state` and `iss`; errors before that (unknown client, ' +
      'unregistered or missing redirect URI, a parameter given twice or with NUL) are answered directly: a page for ' +
      'browsers, else the JSON error body. A registered loopback redirect URI (http://127.0.0.1/..., http://[::1]/...) ' +
      "matches on any port (RFC 8252); a native app's private-use scheme is allowed as the hosted form's target.",
  })
  @ApiQuery({ name: 'redirectSession', required: false, description: 'From a redirect session fullUrl' })
  @ApiQuery({ name: 'response_type', required: false, example: 'code' })
  @ApiQuery({ name: 'client_id', required: false })
  @ApiQuery({ name: 'redirect_uri', required: false })
  @ApiQuery({ name: 'code_challenge', required: false })
  @ApiQuery({ name: 'code_challenge_method', required: false, example: 'S256' })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'scope', required: false, example: 'openid profile email offline_access' })
  @ApiQuery({ name: 'nonce', required: false })
  @ApiQuery({ name: 'response_mode', required: false, enum: ['query', 'fragment', 'web_message'] })
  @ApiQuery({ name: 'prompt', required: false, enum: ['none', 'login', 'consent', 'select_account'] })
  @ApiQuery({ name: 'max_age', required: false, description: 'Seconds; an older sign-in is asked again' })
  @ApiQuery({ name: 'id_token_hint', required: false, description: 'Only this user may be answered' })
  @ApiQuery({ name: 'login_hint', required: false, description: 'Put in the email field of the form' })
  @ApiHtmlPage('The web_message page, or the hosted login page')
  @ApiFoundResponse({
    description: 'query / fragment: to the redirect URI with the code (or an OAuth error)',
  })
  @ApiErrors(
    [
      400,
      'INVALID_REQUEST (client_id missing, a parameter twice) | INVALID_REDIRECT_URI | INVALID_REDIRECT_SESSION',
    ],
    [401, 'INVALID_CLIENT: unknown client_id'],
    429,
  )
  async authorizeGet(
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (query.redirectSession !== undefined) return this.openRedirectSession(query, req, res);
    await this.standardRequest(query, req, res, 302);
  }

  /** The standard request (GET query or POST form): a code, an error for the client, or the form. */
  private async standardRequest(
    params: Record<string, unknown>,
    req: Request,
    res: Response,
    status: 302 | 303,
  ): Promise<void> {
    const parsed = await this.authorize.parseStandard(params);
    if (parsed.kind === 'error') {
      return this.send(res, status, parsed.client, parsed.target, {
        error: parsed.error,
        error_description: parsed.description,
      });
    }
    const { client, request, options } = parsed;
    const hosted = await this.hostedSessions.current(req);
    const outcome = await this.authorize.fromHostedSession(hosted, client, request, options);
    if (outcome) return this.deliver(req, res, status, client, request, outcome);
    // No page for prompt=none, and never a form in a frame: the client must sign the user in.
    if (options.prompt.has('none') || request.responseMode === 'web_message') {
      return this.loginRequired(res, status, client, request);
    }
    const token = await this.authorize.startLoginPage(client, request, options);
    await this.loginPage(res, 200, client, request, token, undefined, options.loginHint);
  }

  private async openRedirectSession(
    query: Record<string, unknown>,
    req: Request,
    res: Response,
  ): Promise<void> {
    const token = query.redirectSession;
    const { record, client } = await this.redirectSessions.find(token, 'auth');
    if (record.userId) {
      return this.deliver(
        req,
        res,
        302,
        client,
        record.data,
        await this.authorize.completeBound(record, client),
      );
    }
    const hosted = await this.hostedSessions.current(req);
    const outcome = await this.authorize.fromHostedSession(hosted, client, record.data, NO_OPTIONS, record);
    if (outcome) return this.deliver(req, res, 302, client, record.data, outcome);
    if (record.data.responseMode === 'web_message') {
      // No signed-in session, and a form must never be framed: tell the client to sign in.
      if (!(await this.redirectSessions.spend(record.id))) throw invalidRedirectSession();
      return this.loginRequired(res, 302, client, record.data);
    }
    await this.loginPage(res, 200, client, record.data, token as string, undefined, record.data.loginHint);
  }

  @Post('authorize')
  @HttpCode(200)
  @RateLimited()
  @ApiOperation({
    summary: 'The hosted login form of /oauth2/authorize (and the standard request as a form POST)',
    description:
      'Posted by the hosted login page (form fields `redirectSession`, `email`, `password`; then, when a second factor is ' +
      'due, `redirectSession`, `mfaToken`, `code`). On success the code goes to the client as for GET (303 for ' +
      'query/fragment, the web_message page) and the browser gets the hosted-session cookie; otherwise the page ' +
      'comes back with the reason. Without `redirectSession`, the fields of the standard request (`client_id`, ...) ' +
      'are read as by GET (OpenID Connect Core 1.0 section 3.1.2.1).',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        redirectSession: { type: 'string' },
        email: { type: 'string', example: 'ada@example.com' },
        password: { type: 'string', format: 'password' },
        mfaToken: { type: 'string' },
        code: { type: 'string' },
      },
    },
  })
  @ApiHtmlPage('The web_message page, or the login page again with the reason')
  @ApiResponse({ status: 303, description: 'To the redirect URI with the code (query / fragment)' })
  @ApiErrors([400, 'INVALID_REDIRECT_SESSION'], 401, 403, 429)
  async authorizePost(
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
    @Ctx() ctx: RequestContext,
  ): Promise<void> {
    if (body.redirectSession === undefined && body.client_id !== undefined) {
      return this.standardRequest(body, req, res, 303);
    }
    await this.hostedForm(readFormFields(HostedLoginForm, body), req, res, ctx);
  }

  private async hostedForm(
    form: HostedLoginForm,
    req: Request,
    res: Response,
    ctx: RequestContext,
  ): Promise<void> {
    const token = form.redirectSession;
    const { record, client } = await this.redirectSessions.find(token, 'auth');
    if (record.userId) throw invalidRedirectSession();
    const request = record.data;
    const passkey = HostedPasskeys.posted(form);
    if (passkey) {
      const step = await this.hostedPasskeys.complete(record, client, token!, passkey, ctx.ip);
      if (step.kind === 'code') return this.deliver(req, res, 303, client, request, step);
      return this.loginPage(res, step.refusal.status, client, request, token!, step.refusal.message);
    }
    const mfaToken = form.mfaToken;
    if (mfaToken) {
      const code = form.code;
      const step: AuthorizeOutcome = code
        ? await this.authorize.loginWithSecondFactor(record, client, mfaToken, code)
        : { kind: 'mfa', mfaToken, error: 'Enter the code of your authenticator app.' };
      if (step.kind === 'mfa')
        return this.mfaPage(res, step.error ? 401 : 200, client, request, token!, step);
      if (step.kind === 'refused') {
        return this.loginPage(res, step.refusal.status, client, request, token!, step.refusal.message);
      }
      return this.deliver(req, res, 303, client, request, step);
    }
    const email = form.email;
    const password = form.password;
    if (!email || !password) {
      return this.loginPage(res, 400, client, request, token!, 'Enter your email and password.', email);
    }
    let outcome: AuthorizeOutcome;
    try {
      outcome = await this.authorize.loginWithPassword(record, client, email.trim(), password, ctx);
    } catch (err) {
      if (err instanceof AppError && err.code === 'TOO_MANY_REQUESTS') {
        const retry = (err.extra as { retryAfter?: number }).retryAfter;
        if (retry) res.header('Retry-After', String(retry));
        const wait = retry ? `in ${describeWait(retry)}` : 'later';
        return this.loginPage(
          res,
          429,
          client,
          request,
          token!,
          `Too many attempts. Try again ${wait}.`,
          email,
        );
      }
      throw err;
    }
    if (outcome.kind === 'mfa') return this.mfaPage(res, 200, client, request, token!, outcome);
    if (outcome.kind === 'refused') {
      return this.loginPage(
        res,
        outcome.refusal.status,
        client,
        request,
        token!,
        outcome.refusal.message,
        email,
      );
    }
    await this.deliver(req, res, 303, client, request, outcome);
  }

  /** The hosted login form, with "Sign in with a passkey" (its challenge bound to this redirect session). */
  private async loginPage(
    res: Response,
    status: number,
    client: AuthClient,
    target: AuthorizationTarget,
    token: string,
    error?: string,
    email?: string,
  ): Promise<void> {
    const passkey = await this.hostedPasskeys.block({ redirectSession: token, action: this.action });
    this.pages.login(res, status, target, {
      clientName: client.name,
      redirectSession: token,
      error,
      email,
      passkey,
    });
  }

  /** The second-factor step: a code, or a passkey of the user whose password matched. */
  private async mfaPage(
    res: Response,
    status: number,
    client: AuthClient,
    target: AuthorizationTarget,
    token: string,
    step: { mfaToken: string; error?: string },
  ): Promise<void> {
    const passkey = await this.hostedPasskeys.block({
      redirectSession: token,
      action: this.action,
      mfaToken: step.mfaToken,
    });
    this.pages.mfa(res, status, target, {
      clientName: client.name,
      redirectSession: token,
      mfaToken: step.mfaToken,
      error: step.error,
      passkey,
    });
  }

  private get action(): string {
    return `${this.config.publicUrl}/oauth2/authorize`;
  }

  private loginRequired(
    res: Response,
    status: 302 | 303,
    client: AuthClient,
    target: AuthorizationTarget,
  ): void {
    this.send(res, status, client, target, {
      error: 'login_required',
      error_description: 'The user is not signed in (or must sign in again)',
    });
  }

  /** A final outcome to the client; a fresh sign-in first gives the browser its hosted session. */
  private async deliver(
    req: Request,
    res: Response,
    status: 302 | 303,
    client: AuthClient,
    target: AuthorizationTarget,
    outcome: FinalOutcome,
  ): Promise<void> {
    if (outcome.kind === 'code') {
      if (outcome.signIn) await this.hostedSessions.begin(req, res, outcome.signIn);
      return this.send(res, status, client, target, { code: outcome.code });
    }
    const { error, message } = outcome.refusal;
    this.send(res, status, client, target, { error, error_description: message }, message);
  }

  /** The code or an error to the client: a redirect for query/fragment, the web_message page otherwise. */
  private send(
    res: Response,
    status: 302 | 303,
    client: AuthClient,
    target: AuthorizationTarget,
    params: Record<string, string>,
    refusal?: string,
  ): void {
    if (target.responseMode !== 'web_message') {
      res.header('Cache-Control', 'no-store');
      res.redirect(this.authorize.redirectLocation(target, params), status);
      return;
    }
    this.pages.webMessage(res, client, target, params, this.config.jwtIssuer, refusal);
  }
}
