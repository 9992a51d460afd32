import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../../common/decorators/current-auth.js';
import { ApiErrors, BODY_ERRORS } from '../../common/http/api-docs.js';
import type { AuthClaims } from '../../common/http/authenticated-request.js';
import { NoStore } from '../../common/http/no-store.js';
import { Ctx, RequestContext } from '../../common/http/request-context.js';
import { RateLimited } from '../../common/rate-limit/rate-limited.js';
import { Authenticated } from '../../tokens/guards/jwt-auth.guard.js';
import {
  ConsumeSsoTokenDto,
  GrantTokensDto,
  MfaGrantDto,
  MfaOptionsAnswerDto,
  MfaOptionsDto,
  MfaRequiredErrorDto,
  PasswordGrantDto,
  SessionDto,
  SsoTokenDto,
} from './dto/token-grant.dto.js';
import { TokenGrantService } from './token-grant.service.js';

const MEMBERSHIP_ERRORS: [number, string] = [
  403,
  'LOCKED | PENDING_APPROVAL | PENDING_VERIFICATION | DISABLED | NOT_A_MEMBER: no active membership in the client tenant',
];

@ApiTags('Password grant, SSO tokens and sessions')
@Controller('auth/v2/oauth1')
export class TokenGrantController {
  constructor(private readonly grants: TokenGrantService) {}

  @Post('tokens')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'Password grant, or refresh',
    description:
      '{email, password, clientId}: logs the user in (the clientId needs no secret). When MFA is on for the user (or the ' +
      'client requires it) the answer is 401 MFA_REQUIRED with mfa: {token, methods}: finish with /auth/v2/oauth1/tokens/mfa. ' +
      '{refreshToken}: a rotated pair for the same session (a rotated token presented again revokes the session).',
  })
  @ApiOkResponse({ type: GrantTokensDto })
  @ApiResponse({
    status: 401,
    type: MfaRequiredErrorDto,
    description:
      'MFA_REQUIRED (with mfa: {token, methods}) | INVALID_CLIENT: unknown clientId | INVALID_CREDENTIALS | ' +
      'INVALID_REFRESH_TOKEN | REFRESH_TOKEN_REUSED',
  })
  @ApiErrors(...BODY_ERRORS, MEMBERSHIP_ERRORS)
  @RateLimited()
  async tokens(@Body() dto: PasswordGrantDto, @Ctx() ctx: RequestContext): Promise<GrantTokensDto> {
    if (dto.refreshToken !== undefined) return this.grants.refreshGrant(dto.refreshToken, ctx);
    return this.grants.passwordGrant(
      { email: dto.email!, password: dto.password!, clientId: dto.clientId! },
      ctx,
    );
  }

  @Post('tokens/mfa')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'MFA grant: finish a password grant with a second factor',
    description:
      'token is mfa.token of the MFA_REQUIRED answer, methodId one of mfa.methods, code its current code (a recovery code ' +
      'for a recoveryCode method), or for a passkey method `credential` instead of code (see /tokens/mfa/options). The ' +
      'session records authMethod TOTP, RECOVERY_CODE, OTP or PASSKEY. The token works once and ' +
      "expires after 5 minutes or 5 wrong codes. Wrong codes count against the user's one budget of second factors " +
      '(RATE_LIMIT_PER_ACCOUNT per 15 minutes, shared by every route), and an emailed code also against the daily ' +
      'budget of wrong codes; past a budget the answer is 429, even for the right code.',
  })
  @ApiOkResponse({ type: GrantTokensDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [401, 'INVALID_MFA_CODE: wrong, replayed or spent code, or a methodId not offered'],
    [
      401,
      'INVALID_PASSKEY: a passkey assertion that is wrong (origin, RP id, signature, counter, user presence), of ' +
        'another user or passkey, or answers a spent or foreign challenge',
    ],
    [401, 'INVALID_TOKEN: unknown, spent or expired mfa token (5 minutes, 5 wrong codes)'],
    MEMBERSHIP_ERRORS,
  )
  @RateLimited()
  async mfa(@Body() dto: MfaGrantDto, @Ctx() ctx: RequestContext): Promise<GrantTokensDto> {
    return this.grants.mfaGrant(
      { token: dto.token, methodId: dto.methodId, code: dto.code, credential: dto.credential },
      ctx,
    );
  }

  @Post('tokens/mfa/options')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'MFA grant with a passkey: the assertion options',
    description:
      'For a method of type passkey among mfa.methods: answers {options} (PublicKeyCredentialRequestOptionsJSON ' +
      'allowing that passkey). Call navigator.credentials.get() with PublicKeyCredential.parseRequestOptionsFromJSON' +
      '(options), then POST /auth/v2/oauth1/tokens/mfa with {token, methodId, credential: credential.toJSON()}. ' +
      'The challenge works once, for this mfa token, for 5 minutes.',
  })
  @ApiOkResponse({ type: MfaOptionsAnswerDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [401, 'INVALID_TOKEN: unknown, spent or expired mfa token'],
    [404, "NOT_FOUND: methodId is not one of the user's passkeys"],
  )
  @RateLimited()
  mfaOptions(@Body() dto: MfaOptionsDto, @Ctx() ctx: RequestContext) {
    return this.grants.mfaOptions({ token: dto.token, methodId: dto.methodId }, ctx);
  }

  @Get('tokens')
  @Authenticated()
  @ApiOperation({
    summary: "The caller's active sessions",
    description:
      'One entry per live session (refresh-token family), newest first; current marks the calling session.',
  })
  @ApiOkResponse({ type: [SessionDto] })
  async list(@CurrentAuth() auth: AuthClaims): Promise<SessionDto[]> {
    const sessions = await this.grants.listSessions(auth);
    return sessions.map((s) => ({
      id: s.id,
      clientId: s.clientId,
      createdAt: s.createdAt.toISOString(),
      lastUsedAt: s.lastUsedAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      userAgent: s.userAgent,
      ipAddress: s.ipAddress,
      current: s.current,
    }));
  }

  @Delete('tokens/:tokenId')
  @HttpCode(204)
  @Authenticated()
  @ApiParam({ name: 'tokenId', description: 'A session id from the token list' })
  @ApiOperation({
    summary: 'End one of the caller’s sessions',
    description:
      'Its refresh token and every access token it issued stop working on every instance within 1 s.',
  })
  @ApiResponse({ status: 204, description: 'Ended' })
  @ApiErrors([404, "NOT_FOUND: no such live session of the caller's"])
  async revoke(
    @Param('tokenId') tokenId: string,
    @CurrentAuth() auth: AuthClaims,
    @Ctx() ctx: RequestContext,
  ): Promise<void> {
    await this.grants.revokeSession(auth, tokenId, ctx);
  }

  @Post('ssoTokens/generate')
  @HttpCode(200)
  @Authenticated()
  @NoStore()
  @ApiOperation({
    summary: 'Generate a single-use SSO token',
    description:
      'Another app exchanges it within 60 seconds at /auth/v2/oauth1/ssoTokens/consume for a session of the same user.',
  })
  @ApiOkResponse({ type: SsoTokenDto })
  generate(@CurrentAuth() auth: AuthClaims): Promise<SsoTokenDto> {
    return this.grants.generateSsoToken(auth);
  }

  @Post('ssoTokens/consume')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'Exchange an SSO token for tokens',
    description:
      'Starts a new session of the same user (authMethod SSO_TOKEN) for clientId (in its tenant) or, by default, the client ' +
      'and tenant of the session that generated the token. A token works once; a refused request does not spend it.',
  })
  @ApiOkResponse({ type: GrantTokensDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [401, 'INVALID_TOKEN: unknown, spent or expired SSO token'],
    [401, 'INVALID_CLIENT: unknown clientId'],
    [401, 'MFA_REQUIRED: clientId requires MFA and the generating client did not'],
    MEMBERSHIP_ERRORS,
  )
  @RateLimited()
  async consume(@Body() dto: ConsumeSsoTokenDto, @Ctx() ctx: RequestContext): Promise<GrantTokensDto> {
    return this.grants.consumeSsoToken({ ssoToken: dto.ssoToken, clientId: dto.clientId }, ctx);
  }
}
