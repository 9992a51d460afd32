import { Body, Controller, HttpCode, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from '../common/http/http.js';
import { CurrentAuth } from '../common/decorators/current-auth.js';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { NoStore } from '../common/http/no-store.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { SuccessDto, TokenResponseDto } from '../tokens/dto/token.dto.js';
import { Authenticated } from '../tokens/guards/jwt-auth.guard.js';
import { ChangePasswordDto, CodeResponseDto, LoginCodeRequestDto, LoginRequestDto } from './dto/login.dto.js';
import { LocalAuthGuard } from './local-auth.guard.js';
import { LoginBody } from './local.strategy.js';
import type { PasswordLogin } from './password-login.service.js';
import { PasswordService } from './password.service.js';

const LOGIN_ERRORS = [
  ...BODY_ERRORS,
  [401, 'INVALID_CLIENT: unknown client_id or wrong client_secret'],
  [401, 'INVALID_CREDENTIALS: wrong username or password (same answer whether the user exists or not)'],
  [
    403,
    'PENDING_APPROVAL | PENDING_VERIFICATION | LOCKED | DISABLED (the account status, after the password matched) | NOT_A_MEMBER',
  ],
] as (number | [number, string])[];

const DEVICE_HEADER = {
  name: 'device_id',
  required: false,
  description: 'Stored as the login activity deviceInfo (Device-Id accepted too)',
};

@ApiTags('Password login')
@Controller('auth')
export class PasswordController {
  constructor(private readonly passwords: PasswordService) {}

  @Post('login')
  @HttpCode(200)
  @UseGuards(LocalAuthGuard(LoginCodeRequestDto))
  @NoStore()
  @ApiHeader(DEVICE_HEADER)
  @ApiBody({ type: LoginCodeRequestDto })
  @ApiOperation({
    summary: 'Password login answering an auth code',
    description:
      'Answers a single-use code for /auth/token (client authCodeExpiration, default 60 s). When the user must complete MFA ' +
      'the code is still returned but /auth/token refuses it (401 MFA_REQUIRED) until /auth/verify-otp turns it into a full code; ' +
      'such a code stays valid 5 minutes. An optional PKCE pair (code_challenge, code_challenge_method S256) binds the code.',
  })
  @ApiOkResponse({ type: CodeResponseDto })
  @ApiErrors(...LOGIN_ERRORS)
  @RateLimited()
  async login(
    @Req() req: Request & { user: PasswordLogin },
    @LoginBody() dto: LoginCodeRequestDto,
    @Ctx() ctx: RequestContext,
  ): Promise<CodeResponseDto> {
    const code = await this.passwords.issueCode(
      req.user,
      { codeChallenge: dto.code_challenge, codeChallengeMethod: dto.code_challenge_method },
      ctx,
    );
    return { code };
  }

  @Post('login-token')
  @HttpCode(200)
  @UseGuards(LocalAuthGuard(LoginRequestDto))
  @NoStore()
  @ApiHeader(DEVICE_HEADER)
  @ApiBody({ type: LoginRequestDto })
  @ApiOperation({
    summary: 'Password login answering tokens',
    description: '401 MFA_REQUIRED when a second factor is due: use /auth/login then /auth/verify-otp.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors(...LOGIN_ERRORS, [401, 'MFA_REQUIRED'])
  @RateLimited()
  async loginToken(
    @Req() req: Request & { user: PasswordLogin },
    @Ctx() ctx: RequestContext,
  ): Promise<TokenResponseDto> {
    const t = await this.passwords.issueTokens(req.user, ctx);
    return { accessToken: t.accessToken, refreshToken: t.refreshToken, expires: t.expires };
  }

  @Patch('change-password')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: "Change the caller's password",
    description:
      "username must be the caller's own (else 403). All OTHER sessions of the user end; the session of refreshToken stays logged in.",
  })
  @ApiOkResponse({ type: SuccessDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [400, 'WEAK_PASSWORD: the new password breaks the policy (reason in message)'],
    [401, 'INVALID_CREDENTIALS: wrong oldPassword'],
    [401, 'INVALID_REFRESH_TOKEN: refreshToken is not a live session of the caller'],
    [403, "FORBIDDEN: username is not the caller's"],
  )
  @RateLimited()
  async changePassword(
    @Body() dto: ChangePasswordDto,
    @CurrentAuth() auth: AuthClaims,
    @Ctx() ctx: RequestContext,
  ): Promise<SuccessDto> {
    await this.passwords.changePassword(auth, dto, ctx);
    return { success: true };
  }
}
