import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.js';
import { Errors } from '../common/errors/app-error.js';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { SecretExchange } from '../common/rate-limit/rate-limited.js';
import { AllowVisitor, Authenticated } from '../tokens/guards/jwt-auth.guard.js';
import { CreateRedirectSessionDto, RedirectSessionResponseDto } from './dto/redirect-session.dto.js';
import { RedirectSessionsService } from './redirect-sessions.service.js';

@ApiTags('Headless login')
@Controller('auth/v2/redirect-sessions')
export class RedirectSessionsController {
  constructor(private readonly redirectSessions: RedirectSessionsService) {}

  @Post()
  @HttpCode(200)
  @Authenticated()
  @AllowVisitor()
  @SecretExchange()
  @ApiOperation({
    summary: 'Create a redirect session (authorization or logout URL)',
    description:
      '`auth` (visitor or member Bearer of the same client): an authorization request with S256 PKCE; with a ' +
      'sessionToken (spent here) the fullUrl answers the code at once, without one it serves the hosted login page. ' +
      "`logout` (member Bearer): the fullUrl ends the caller's session and redirects to postFlowUrl. The fullUrl is " +
      'single use and valid 10 minutes.',
  })
  @ApiOkResponse({ type: RedirectSessionResponseDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [
      400,
      'INVALID_REQUEST: codeChallengeMethod not S256, malformed codeChallenge | INVALID_REDIRECT_URI: redirectUri or postFlowUrl not registered, or a web_message origin not allowed | INVALID_SCOPE | INVALID_SESSION_TOKEN: expired, spent or foreign sessionToken',
    ],
    [401, 'INVALID_CLIENT: unknown clientId; UNAUTHORIZED: a visitor token for logout'],
    [403, 'FORBIDDEN: the token was issued to another client'],
  )
  async create(
    @Body() dto: CreateRedirectSessionDto,
    @CurrentAuth() auth: AuthClaims,
    @Ctx() ctx: RequestContext,
  ): Promise<RedirectSessionResponseDto> {
    if ((dto.auth === undefined) === (dto.logout === undefined)) {
      throw Errors.validation([{ field: 'body', message: 'give exactly one of auth and logout' }]);
    }
    const redirectSession = dto.auth
      ? await this.redirectSessions.createAuth(dto.auth, auth, ctx)
      : await this.redirectSessions.createLogout(dto.logout!, auth);
    return { redirectSession };
  }
}
