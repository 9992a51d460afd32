import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppError } from '../../common/errors/app-error.js';
import { ApiErrors } from '../../common/http/api-docs.js';
import { Ctx, RequestContext } from '../../common/http/request-context.js';
import { RateLimited } from '../../common/rate-limit/rate-limited.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import type { AuthClient } from '../../identity/entities/auth-client.entity.js';
import type { AuthRequest } from './auth-request.js';
import { AuthorizeOutcome, AuthorizeService, Refusal } from './authorize.service.js';
import {
  escapeHtml,
  messagePage,
  newNonce,
  originOf,
  renderPage,
  scriptJson,
  sendPage,
  wantsHtml,
} from './hosted-page.js';
import { HostedPasskeys } from './hosted-passkey.js';
import { LogoutService } from './logout.service.js';
import { invalidRedirectSession, RedirectSessionsService } from './redirect-sessions.service.js';

const str = (v: unknown, max = 1000): string | undefined =>
  typeof v === 'string' && v.length > 0 && v.length <= max && !v.includes('\u0000') ? v : undefined;

/**
 * The browser side of the authorization server: `/oauth2/authorize` (redirect sessions, the
 * standard query, the hosted login page) and `/oauth2/logout`. Answers are pages and redirects;
 * errors are the contract's JSON body, or a small page when a browser navigates here.
 */
@ApiTags('OAuth 2.0 / OpenID Connect')
@Controller('oauth2')
export class AuthorizeController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly authorize: AuthorizeService,
    private readonly redirectSessions: RedirectSessionsService,
    private readonly logout: LogoutService,
    private readonly hostedPasskeys: HostedPasskeys,
  ) {}

  @Get('authorize')
  @RateLimited()
  @ApiOperation({
    summary: 'Authorization endpoint: redirect sessions and the standard OAuth 2.0 / OIDC query',
    description:
      'Open the `fullUrl` of a redirect session, or send the standard query (`response_type=code`, `client_id`, ' +
      '`redirect_uri`, `code_challenge` + `code_challenge_method=S256`, `state`, `scope`, `nonce`, `response_mode`). ' +
      'A session bound to a member by a sessionToken answers the code at once: `web_message` is an HTML page whose ' +
      "script posts `{code, state}` to the redirect URI's origin only (framable by the client's allowedOrigins only); " +
      '`query` and `fragment` redirect (302) to the redirect URI with `code`, `state` and `iss`. Without a signed-in ' +
      'session (a redirect session without sessionToken, or the standard query), `web_message` answers the same page posting ' +
      '`{error: "login_required", state}` (a form is never framed); `query` and `fragment` get ' +
      'a minimal hosted login page (email and password, then the code of the authenticator app, a recovery code or a passkey when a second factor is due; or "Sign in with a passkey"), ' +
      "never framable (frame-ancestors 'none', X-Frame-Options DENY). " +
      'Errors are answered directly (never redirected): a page for browsers, else the JSON error body.',
  })
  @ApiQuery({ name: 'redirectSession', required: false, description: 'From a redirect session fullUrl' })
  @ApiQuery({ name: 'response_type', required: false, example: 'code' })
  @ApiQuery({ name: 'client_id', required: false })
  @ApiQuery({ name: 'redirect_uri', required: false })
  @ApiQuery({ name: 'code_challenge', required: false })
  @ApiQuery({ name: 'code_challenge_method', required: false, example: 'S256' })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'scope', required: false, example: 'openid offline_access' })
  @ApiQuery({ name: 'nonce', required: false })
  @ApiQuery({ name: 'response_mode', required: false, enum: ['query', 'fragment', 'web_message'] })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The web_message page, or the hosted login page' })
  @ApiFoundResponse({
    description: 'query / fragment: to the redirect URI with the code (or an OAuth error)',
  })
  @ApiErrors(
    [
      400,
      'INVALID_REQUEST (not S256, not response_type=code, ...) | INVALID_REDIRECT_URI | INVALID_SCOPE | INVALID_REDIRECT_SESSION',
    ],
    [401, 'INVALID_CLIENT: unknown client_id'],
    429,
  )
  async authorizeGet(
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    try {
      if (query.redirectSession !== undefined) {
        const token = query.redirectSession;
        const { record, client } = await this.redirectSessions.find(token, 'auth');
        if (record.userId) {
          const outcome = await this.authorize.completeBound(record, client);
          return this.deliver(res, 302, client, record.data, outcome);
        }
        if (record.data.responseMode === 'web_message') {
          // No signed-in session, and a form must never be framed: tell the client to sign in.
          if (!(await this.redirectSessions.spend(record.id))) throw invalidRedirectSession();
          return this.webMessagePage(res, client, record.data, { error: 'login_required' });
        }
        return this.loginPage(res, 200, client, record.data, token as string);
      }
      const { token, client, request } = await this.authorize.startStandard(query);
      if (token === null) return this.webMessagePage(res, client, request, { error: 'login_required' });
      return this.loginPage(res, 200, client, request, token);
    } catch (err) {
      this.fail(req, res, err);
    }
  }

  @Post('authorize')
  @HttpCode(200)
  @RateLimited()
  @ApiOperation({
    summary: 'The hosted login form of /oauth2/authorize',
    description:
      'Posted by the hosted login page (form fields `redirectSession`, `email`, `password`; then, when a second factor is ' +
      'due, `redirectSession`, `mfaToken`, `code`; "Sign in with a passkey" posts `redirectSession`, `passkeyState`, ' +
      '`credential` (JSON of credential.toJSON()) and on the second step `mfaToken`). On success the code goes to the client ' +
      'as for GET (303 for query/fragment, the web_message page); otherwise the page comes back with the reason.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['redirectSession', 'email', 'password'],
      properties: {
        redirectSession: { type: 'string' },
        email: { type: 'string', example: 'ada@example.com' },
        password: { type: 'string', format: 'password' },
      },
    },
  })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The web_message page, or the login page again with the reason' })
  @ApiFoundResponse({ description: '303 to the redirect URI with the code (query / fragment)' })
  @ApiErrors([400, 'INVALID_REDIRECT_SESSION'], 401, 403, 429)
  async authorizePost(
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
    @Ctx() ctx: RequestContext,
  ): Promise<void> {
    try {
      const token = str(body.redirectSession, 512);
      const { record, client } = await this.redirectSessions.find(token, 'auth');
      if (record.userId) throw invalidRedirectSession();
      const passkey = HostedPasskeys.posted(body);
      if (passkey) {
        const step = await this.hostedPasskeys.complete(record, client, token!, passkey, ctx.ip);
        if (step.kind === 'code') return this.deliver(res, 303, client, record.data, step);
        return this.loginPage(res, step.refusal.status, client, record.data, token!, step.refusal.message);
      }
      const mfaToken = str(body.mfaToken, 512);
      if (mfaToken) {
        const code = str(body.code, 100);
        const step: AuthorizeOutcome = code
          ? await this.authorize.loginWithSecondFactor(record, client, mfaToken, code)
          : { kind: 'mfa', mfaToken, error: 'Enter the code of your authenticator app.' };
        if (step.kind === 'mfa')
          return this.mfaPage(res, step.error ? 401 : 200, client, record.data, token!, step);
        if (step.kind === 'refused') {
          return this.loginPage(res, step.refusal.status, client, record.data, token!, step.refusal.message);
        }
        return this.deliver(res, 303, client, record.data, step);
      }
      const email = str(body.email, 320);
      const password = str(body.password, 1000);
      if (!email || !password) {
        return this.loginPage(res, 400, client, record.data, token!, 'Enter your email and password.', email);
      }
      let outcome: AuthorizeOutcome;
      try {
        outcome = await this.authorize.loginWithPassword(record, client, email.trim(), password, ctx);
      } catch (err) {
        if (err instanceof AppError && err.code === 'TOO_MANY_REQUESTS') {
          const retry = (err.extra as { retryAfter?: number }).retryAfter;
          if (retry) res.setHeader('Retry-After', String(retry));
          return this.loginPage(
            res,
            429,
            client,
            record.data,
            token!,
            'Too many attempts. Try again later.',
            email,
          );
        }
        throw err;
      }
      if (outcome.kind === 'mfa') return this.mfaPage(res, 200, client, record.data, token!, outcome);
      if (outcome.kind === 'refused') {
        return this.loginPage(
          res,
          outcome.refusal.status,
          client,
          record.data,
          token!,
          outcome.refusal.message,
          email,
        );
      }
      return this.deliver(res, 303, client, record.data, outcome);
    } catch (err) {
      this.fail(req, res, err);
    }
  }

  @Get('logout')
  @RateLimited()
  @ApiOperation({
    summary: 'End the session and go back to the client',
    description:
      'Open the logout `fullUrl` of a redirect session: the session of the member who created it ends (its refresh ' +
      'and access tokens stop working on every instance) and the browser goes to `postFlowUrl` (302), which must be ' +
      'registered. OpenID Connect RP-initiated logout is accepted too (`id_token_hint`, `post_logout_redirect_uri` ' +
      '(registered), `client_id`, `state`).',
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
  @ApiFoundResponse({ description: 'To postFlowUrl' })
  @ApiProduces('text/html')
  @ApiOkResponse({
    description: 'A "signed out" page (RP-initiated logout without post_logout_redirect_uri)',
  })
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
    try {
      const location =
        query.redirectSession !== undefined
          ? await this.logout.byRedirectSession(query.redirectSession, ctx)
          : await this.logout.byIdTokenHint(query, ctx);
      res.setHeader('Cache-Control', 'no-store');
      if (location) return res.redirect(302, location);
      const nonce = newNonce();
      sendPage(res, 200, messagePage(nonce, 'Signed out', 'You are signed out.', false), { nonce });
    } catch (err) {
      this.fail(req, res, err);
    }
  }

  /** Browsers get a page; API callers (and 5xx) get the JSON error body through the global filter. */
  private fail(req: Request, res: Response, err: unknown): void {
    if (!(err instanceof AppError) || err.getStatus() >= 500 || !wantsHtml(req)) throw err;
    const nonce = newNonce();
    const html = messagePage(
      nonce,
      'This sign-in cannot continue',
      `${err.message}. Go back to the application and try again.`,
    );
    sendPage(res, err.getStatus(), html, { nonce });
  }

  private async loginPage(
    res: Response,
    status: number,
    client: AuthClient,
    request: AuthRequest,
    token: string,
    error?: string,
    email?: string,
  ): Promise<void> {
    const nonce = newNonce();
    const action = `${this.config.publicUrl}/oauth2/authorize`;
    const passkey = await this.hostedPasskeys.block({ redirectSession: token, action });
    const body = `<h1>Sign in</h1><p class="sub">to ${escapeHtml(client.name)}</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="redirectSession" value="${escapeHtml(token)}">
<label for="email">Email</label>
<input id="email" name="email" type="text" inputmode="email" autocomplete="username" required maxlength="320" value="${escapeHtml(email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1000">
<button type="submit">Sign in</button>
</form>
${passkey.html}`;
    const formAction = [originOf(this.config.publicUrl), originOf(request.redirectUri)].filter(
      (o): o is string => o !== null,
    );
    // Never framed, whatever the response mode (API.md section 12, "Framing"): no clickjacking of the form.
    const html = renderPage({ title: 'Sign in', bodyHtml: body, nonce, script: passkey.script });
    sendPage(res, status, html, { nonce, formAction, script: true });
  }

  /** The second step of the hosted page: the code of the user's authenticator app (or a recovery code). */
  private async mfaPage(
    res: Response,
    status: number,
    client: AuthClient,
    request: AuthRequest,
    token: string,
    step: { mfaToken: string; error?: string },
  ): Promise<void> {
    const nonce = newNonce();
    const action = `${this.config.publicUrl}/oauth2/authorize`;
    const passkey = await this.hostedPasskeys.block({
      redirectSession: token,
      action,
      mfaToken: step.mfaToken,
    });
    const body = `<h1>Two-step verification</h1><p class="sub">for ${escapeHtml(client.name)}</p>
${step.error ? `<p class="error" role="alert">${escapeHtml(step.error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="redirectSession" value="${escapeHtml(token)}">
<input type="hidden" name="mfaToken" value="${escapeHtml(step.mfaToken)}">
<label for="code">Code from your authenticator app, or a recovery code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="100" autofocus>
<button type="submit">Verify</button>
</form>
${passkey.html}`;
    const formAction = [originOf(this.config.publicUrl), originOf(request.redirectUri)].filter(
      (o): o is string => o !== null,
    );
    const html = renderPage({
      title: 'Two-step verification',
      bodyHtml: body,
      nonce,
      script: passkey.script,
    });
    sendPage(res, status, html, { nonce, formAction, script: true });
  }

  /** The code (or a refusal) to the client: a redirect for query/fragment, the web_message page otherwise. */
  private deliver(
    res: Response,
    redirectStatus: 302 | 303,
    client: AuthClient,
    request: AuthRequest,
    outcome: Exclude<AuthorizeOutcome, { kind: 'mfa' }>,
  ): void {
    const params: Record<string, string> =
      outcome.kind === 'code'
        ? { code: outcome.code }
        : { error: outcome.refusal.error, error_description: outcome.refusal.message };
    if (request.responseMode !== 'web_message') {
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(redirectStatus, this.authorize.redirectLocation({ kind: 'auth', ...request }, params));
      return;
    }
    this.webMessagePage(
      res,
      client,
      request,
      params,
      outcome.kind === 'refused' ? outcome.refusal : undefined,
    );
  }

  /**
   * Posts `{code, state}` (or `{error, error_description, state}`, or `{error: "login_required",
   * state}`) to the redirect URI's origin only, never `*`, to the opener (popup) or else the parent
   * (iframe). The only page of ours that may be framed, and only by the client's allowedOrigins.
   */
  private webMessagePage(
    res: Response,
    client: AuthClient,
    request: AuthRequest,
    params: Record<string, string>,
    refusal?: Refusal,
  ): void {
    const nonce = newNonce();
    const target = originOf(request.redirectUri)!;
    const message = { ...params, state: request.state };
    const script =
      `(function(){var m=${scriptJson(message)};var o=${scriptJson(target)};` +
      `var t=window.opener||(window.parent!==window?window.parent:null);if(t){t.postMessage(m,o);}})();`;
    const body = refusal
      ? `<h1>Sign-in refused</h1><p class="error" role="alert">${escapeHtml(refusal.message)}</p>`
      : params.error === 'login_required'
        ? '<h1>Not signed in</h1><p>Sign in from the application first.</p>'
        : '<h1>Signed in</h1><p>You can close this window.</p>';
    sendPage(res, 200, renderPage({ title: 'Sign in', bodyHtml: body, nonce, script }), {
      nonce,
      script: true,
      frameAncestors: client.allowedOrigins,
    });
  }
}
