import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiHeader } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.js';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { NoStore } from '../common/http/no-store.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { AttemptLimiter, BAD_TOKEN_CODES, hasCode, IpOnly } from '../common/rate-limit/attempt-limiter.js';
import { AuthCodesService } from './auth-codes.service.js';
import {
  ExchangeCodeDto,
  LogoutDto,
  MeDto,
  RefreshTokenDto,
  SuccessDto,
  SwitchTokenDto,
  TokenResponseDto,
} from './dto/token.dto.js';
import { Authenticated } from './guards/jwt-auth.guard.js';
import { IssuedTokens, SessionsService } from './sessions.service.js';
import { AccountService } from './account.service.js';
import { Errors } from '../common/errors/app-error.js';

function tokenResponse(t: IssuedTokens): TokenResponseDto {
  return { accessToken: t.accessToken, refreshToken: t.refreshToken, expires: t.expires };
}

const DEVICE_HEADER = {
  name: 'device_id',
  required: false,
  description: 'Stored as the login activity deviceInfo (Device-Id accepted too)',
};

@ApiTags('Tokens')
@Controller()
export class TokensController {
  constructor(
    private readonly codes: AuthCodesService,
    private readonly sessions: SessionsService,
    private readonly account: AccountService,
    private readonly limiter: AttemptLimiter,
  ) {}

  /** Bad refresh tokens and codes count per IP only (API.md section 0). */
  private countFailure<T>(ctx: RequestContext, work: () => Promise<T>): Promise<T> {
    return this.limiter.guard(IpOnly.token, ctx.ip, work, hasCode(...BAD_TOKEN_CODES));
  }

  @Post('auth/token')
  @HttpCode(200)
  @NoStore()
  @ApiHeader(DEVICE_HEADER)
  @ApiOperation({
    summary: 'Exchange an auth code for tokens',
    description:
      'A code works once, for its own client, before it expires (client authCodeExpiration, default 60 s). ' +
      'A code issued with a PKCE code_challenge needs its codeVerifier. Two concurrent exchanges of one code yield exactly one token pair. ' +
      'Codes of /auth/login, /auth/verify-otp and the social and SAML callbacks are exchanged here; a code of /oauth2/authorize ' +
      'only at /oauth2/token (401 INVALID_CODE here). A code presented again after its exchange is refused and ends the session ' +
      'it started: its access and refresh tokens stop working on every instance within 1 s.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [
      401,
      'INVALID_CODE: spent (its session ends), expired, unknown or foreign code, a code of /oauth2/authorize, or PKCE mismatch',
    ],
    [401, 'MFA_REQUIRED: the code waits for /auth/verify-otp'],
    [403, 'LOCKED / PENDING_APPROVAL / ...: the membership is not active'],
  )
  @RateLimited()
  async token(@Body() dto: ExchangeCodeDto, @Ctx() ctx: RequestContext): Promise<TokenResponseDto> {
    const { tokens } = await this.countFailure(ctx, () =>
      this.codes.exchange({
        code: dto.code,
        clientId: dto.clientId,
        codeVerifier: dto.codeVerifier,
        face: 'auth',
        ctx,
      }),
    );
    return tokenResponse(tokens);
  }

  @Post('auth/token-refresh')
  @HttpCode(200)
  @NoStore()
  @ApiHeader(DEVICE_HEADER)
  @ApiOperation({
    summary: 'Rotate a refresh token',
    description:
      'Answers a new token pair; the presented refresh token is spent. Presenting an already-rotated token revokes the whole session ' +
      '(401 REFRESH_TOKEN_REUSED). With tenantId, the new tokens are for that tenant, when the session began with the ' +
      "user's own sign-in (a session of a headless member token stays in its tenant: 403 FORBIDDEN). A session issued at " +
      '/oauth2/token to a confidential client is refreshed only there (401 INVALID_CLIENT here). A Bearer header may be sent and is not required.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [
      401,
      'INVALID_REFRESH_TOKEN | REFRESH_TOKEN_REUSED | INVALID_CLIENT: a confidential client session of /oauth2/token',
    ],
    [403, 'FORBIDDEN: a headless member session cannot change tenant | NOT_A_MEMBER | LOCKED | ...'],
  )
  @RateLimited()
  async refresh(@Body() dto: RefreshTokenDto, @Ctx() ctx: RequestContext): Promise<TokenResponseDto> {
    const tokens = await this.countFailure(ctx, () =>
      this.sessions.refresh(dto.refreshToken, { tenantId: dto.tenantId, ctx }),
    );
    return tokenResponse(tokens);
  }

  @Post('auth/switch-token')
  @HttpCode(200)
  @Authenticated()
  @NoStore()
  @ApiOperation({
    summary: 'Switch the session to another tenant',
    description:
      'Rotates the refresh token and answers tokens for the same user in another tenant they are an active member of. ' +
      "Only a session begun by the user's own sign-in moves: a session of a headless member token stays in its tenant " +
      '(403 FORBIDDEN), and a confidential client session of /oauth2/token is refreshed only there (401 INVALID_CLIENT).',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [
      401,
      'INVALID_REFRESH_TOKEN | REFRESH_TOKEN_REUSED | INVALID_CLIENT: a confidential client session of /oauth2/token',
    ],
    [
      403,
      'FORBIDDEN: a headless member session cannot change tenant | NOT_A_MEMBER: not a member of that tenant',
    ],
  )
  @RateLimited()
  async switchToken(
    @Body() dto: SwitchTokenDto,
    @CurrentAuth() auth: AuthClaims,
    @Ctx() ctx: RequestContext,
  ): Promise<TokenResponseDto> {
    const tokens = await this.countFailure(ctx, () =>
      this.sessions.refresh(dto.refreshToken, { tenantId: dto.tenantId, ctx, requireUserId: auth.sub }),
    );
    return tokenResponse(tokens);
  }

  @Get('auth/me')
  @Authenticated()
  @ApiOperation({ summary: 'The user of the access token, in its active tenant' })
  @ApiOkResponse({ type: MeDto })
  me(@CurrentAuth() auth: AuthClaims): Promise<MeDto> {
    return this.account.me(auth);
  }

  @Post('logout')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Log out',
    description:
      "Revokes the refresh token's whole family and the presented access token, on every instance within 1 s.",
  })
  @ApiOkResponse({ type: SuccessDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [401, 'INVALID_REFRESH_TOKEN: unknown or already ended'],
    [403, "FORBIDDEN: the refresh token is another user's"],
  )
  async logout(
    @Body() dto: LogoutDto,
    @CurrentAuth() auth: AuthClaims,
    @Ctx() ctx: RequestContext,
  ): Promise<SuccessDto> {
    const session = await this.sessions.findLiveSessionByRefreshToken(dto.refreshToken);
    if (!session) throw Errors.invalidRefreshToken();
    if (session.userId !== auth.sub) throw Errors.forbidden();
    await this.sessions.end(session.id, { reason: 'logout', ctx, accessToken: auth });
    return { success: true };
  }
}
