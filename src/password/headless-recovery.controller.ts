import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { isFormPost, type Request, type Response } from '../common/http/http.js';
import { AppError } from '../common/errors/app-error.js';
import { ApiErrors, ApiHtmlPage, ApiPageErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import { NoStore } from '../common/http/no-store.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { validateBody } from '../common/http/validation.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../identity/credentials/password-policy.js';
import { AllowVisitor, Authenticated } from '../tokens/guards/jwt-auth.guard.js';
import {
  escapeHtml,
  messagePage,
  newNonce,
  originOf,
  renderPage,
  sendPage,
  wantsHtml,
} from '../common/http/hosted-page.js';
import {
  EmptyResponseDto,
  RecoveryResetDto,
  RecoveryResetResponseDto,
  SendRecoveryEmailDto,
} from './dto/headless-recovery.dto.js';
import { HeadlessRecoveryService, invalidRecoveryToken } from './headless-recovery.service.js';

/**
 * The headless recovery routes (API.md section 7). Named RecoveryController, as before it moved
 * here from headless-login, so the OpenAPI operation ids stay `RecoveryController_*`.
 */
@ApiTags('Headless login')
@Controller('auth/v2/recovery')
export class RecoveryController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly recovery: HeadlessRecoveryService,
  ) {}

  @Post('send-email')
  @HttpCode(200)
  @Authenticated()
  @AllowVisitor()
  @RateLimited()
  @ApiOperation({
    summary: 'Send a password recovery email',
    description:
      "Mails a link (valid 1 hour, single use) to the service's hosted new-password form when the email belongs to a " +
      "member of the client's tenant; answers the same `{}` whether or not it does. After the new password is set the " +
      "member is sent to `redirect.url`, which must be one of the client's redirectUrls.",
  })
  @ApiOkResponse({ type: EmptyResponseDto })
  @ApiErrors(...BODY_ERRORS, [400, 'INVALID_REDIRECT: unknown client, or redirect.url not registered for it'])
  async sendEmail(@Body() dto: SendRecoveryEmailDto, @Ctx() ctx: RequestContext): Promise<EmptyResponseDto> {
    await this.recovery.sendEmail(dto, ctx);
    return {};
  }

  @Get()
  @ApiOperation({
    summary: 'The hosted new-password form (the link of the recovery email)',
    description:
      'A small page whose form posts `token` and `password` to POST /auth/v2/recovery/reset. The page is never framed ' +
      "(frame-ancestors 'none', X-Frame-Options DENY). The link's redirect.url is checked again against the client's " +
      'registered redirectUrls: a URL removed since the mail was sent is 400 INVALID_REDIRECT.',
  })
  @ApiQuery({ name: 'token', required: true })
  @ApiHtmlPage('The form')
  @ApiErrors(
    [401, 'INVALID_TOKEN: invalid, expired or used link (a page for browsers)'],
    [
      400,
      "INVALID_REDIRECT: the link's redirect.url is no longer registered for its client (a page for browsers)",
    ],
  )
  async page(
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const record = await this.recovery.find(query.token);
    if (!record) return this.fail(req, res, invalidRecoveryToken());
    try {
      await this.recovery.assertTargetStillRegistered(record);
    } catch (err) {
      if (err instanceof AppError) return this.fail(req, res, err);
      throw err;
    }
    this.form(res, 200, query.token as string, record.data.redirectUrl);
  }

  @Post('reset')
  @HttpCode(200)
  @NoStore()
  @RateLimited()
  @ApiOperation({
    summary: 'Set the new password of a recovery link',
    description:
      'JSON answers `{redirectUrl}`; the hosted form (application/x-www-form-urlencoded) is redirected there (302). ' +
      'The token works once; the password rules of API.md section 3 apply (a refused password spends nothing); every ' +
      "session of the member ends. The link's redirect.url must still be one of the client's registered redirectUrls " +
      '(checked again now): a URL removed since the mail was sent is 400 INVALID_REDIRECT, and the link is not spent.',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: RecoveryResetDto })
  @ApiOkResponse({ type: RecoveryResetResponseDto })
  @ApiFoundResponse({ description: 'Form posts: to redirect.url' })
  @ApiPageErrors(
    ...BODY_ERRORS,
    [
      400,
      'WEAK_PASSWORD (form posts: the form again, with the reason) | INVALID_REDIRECT: the redirect.url of the link is no longer registered for its client',
    ],
    [401, 'INVALID_TOKEN: invalid, expired or used link'],
    429,
  )
  async reset(
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
    @Ctx() ctx: RequestContext,
  ): Promise<void> {
    const isForm = isFormPost(req);
    try {
      const dto = await validateBody(RecoveryResetDto, body);
      const redirectUrl = await this.recovery.reset(dto.token, dto.password, ctx);
      if (isForm) {
        res.header('Cache-Control', 'no-store');
        return res.redirect(redirectUrl, 302);
      }
      res.status(200).send({ redirectUrl });
    } catch (err) {
      if (!isForm || !(err instanceof AppError)) throw err;
      const record = typeof body.token === 'string' ? await this.recovery.find(body.token) : null;
      if (record && err.getStatus() !== 401 && err.code !== 'INVALID_REDIRECT') {
        return this.form(res, err.getStatus(), body.token as string, record.data.redirectUrl, err.message);
      }
      this.fail(req, res, err);
    }
  }

  private form(res: Response, status: number, token: string, redirectUrl: string, error?: string): void {
    const nonce = newNonce();
    const action = `${this.config.publicUrl}/auth/v2/recovery/reset`;
    const body = `<h1>Choose a new password</h1>
<p class="sub">At least ${PASSWORD_MIN_LENGTH} characters; not a common password, and not your email.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="${PASSWORD_MIN_LENGTH}" maxlength="${PASSWORD_MAX_LENGTH}">
<button type="submit">Set the password</button>
</form>`;
    const formAction = [originOf(this.config.publicUrl), originOf(redirectUrl)].filter(
      (o): o is string => o !== null,
    );
    sendPage(res, status, renderPage({ title: 'New password', bodyHtml: body, nonce }), {
      nonce,
      formAction,
    });
  }

  /** Browsers get a page; API callers the JSON error body through the global filter. */
  private fail(req: Request, res: Response, err: AppError): void {
    if (!wantsHtml(req)) throw err;
    const nonce = newNonce();
    sendPage(res, err.getStatus(), messagePage(nonce, 'Password recovery', `${err.message}.`), { nonce });
  }
}
