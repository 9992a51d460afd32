import { Body, Controller, HttpCode, Post, Res, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from '../common/http/http.js';
import { Errors } from '../common/errors/app-error.js';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import { NoStore } from '../common/http/no-store.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import {
  MemberAccessTokenDto,
  MemberRefreshRequestDto,
  MemberTokenRequestDto,
  MemberTokensDto,
  RevokeAccessTokenRequestDto,
  RevokeRefreshTokenRequestDto,
} from './dto/headless-member.dto.js';
import { CurrentHeadless, HeadlessAuth } from './headless-token.guard.js';
import type { HeadlessPrincipal } from './headless-tokens.service.js';
import { HeadlessMemberService, MemberKey } from './headless-member.service.js';
import { SuccessFalseFilter } from './success-false.filter.js';

/** Exactly one of the three keys (422 VALIDATION_FAILED otherwise). */
function memberKey(dto: MemberTokenRequestDto): MemberKey {
  const given = [dto.community_member_id, dto.email, dto.sso_id].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw Errors.validation([
      { field: 'body', message: 'give exactly one of community_member_id, email, sso_id' },
    ]);
  }
  if (dto.community_member_id !== undefined) return { communityMemberId: dto.community_member_id };
  if (dto.email !== undefined) return { email: dto.email };
  return { ssoId: dto.sso_id! };
}

const NULL_ANSWER = {
  description: 'Revoked: `application/json` with the body `null`',
  schema: { nullable: true, example: null },
};
const REVOKE_FAILED = 'the error body plus `"success": false` (every failure of this route carries it)';

@ApiTags('Headless member tokens')
@HeadlessAuth()
@Controller('api/v1/headless')
export class HeadlessMemberController {
  constructor(private readonly members: HeadlessMemberService) {}

  @Post('auth_token')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'Member tokens by member id, email or SSO id',
    description:
      "Names the member by exactly one of community_member_id (the membership's memberId), email or sso_id, in " +
      "the headless token's tenant. Answers an access token (1 hour) and a refresh token (30 days) of a new " +
      'session (authMethod HEADLESS).',
  })
  @ApiOkResponse({ type: MemberTokensDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [404, "NOT_FOUND: no such member in the headless token's tenant"],
    [403, 'LOCKED / PENDING_APPROVAL / ...: the membership is not active'],
  )
  issue(
    @Body() dto: MemberTokenRequestDto,
    @CurrentHeadless() principal: HeadlessPrincipal,
    @Ctx() ctx: RequestContext,
  ): Promise<MemberTokensDto> {
    return this.members.issue(principal, memberKey(dto), ctx);
  }

  @Post('access_token/refresh')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'A new member access token from a member refresh token',
    description:
      'The refresh token is not rotated (the one exception of API.md section 0): it stays good until it expires or ' +
      'is revoked. Only refresh tokens from auth_token of the same tenant are accepted.',
  })
  @ApiOkResponse({ type: MemberAccessTokenDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [401, 'INVALID_REFRESH_TOKEN: unknown, expired, revoked or not a member refresh token of this tenant'],
    [403, 'LOCKED / PENDING_APPROVAL / ...: the membership is no longer active'],
  )
  refresh(
    @Body() dto: MemberRefreshRequestDto,
    @CurrentHeadless() principal: HeadlessPrincipal,
    @Ctx() ctx: RequestContext,
  ): Promise<MemberAccessTokenDto> {
    return this.members.refresh(principal, dto.refresh_token, ctx);
  }

  @Post('access_token/revoke')
  @UseFilters(SuccessFalseFilter)
  @ApiOperation({
    summary: 'Revoke a member access token',
    description:
      'That access token stops working on every instance (within 1 s); the session and its refresh token stay. ' +
      `A failure answers ${REVOKE_FAILED}.`,
  })
  @ApiOkResponse(NULL_ANSWER)
  @ApiErrors(...BODY_ERRORS, [
    401,
    'INVALID_TOKEN: not a live member access token of this tenant (malformed, expired, already revoked, or not ' +
      'issued through auth_token)',
  ])
  async revokeAccessToken(
    @Body() dto: RevokeAccessTokenRequestDto,
    @CurrentHeadless() principal: HeadlessPrincipal,
    @Ctx() ctx: RequestContext,
    @Res() res: Response,
  ): Promise<void> {
    await this.members.revokeAccessToken(principal, dto.access_token, ctx);
    res.status(200).type('application/json; charset=utf-8').send('null');
  }

  @Post('refresh_token/revoke')
  @UseFilters(SuccessFalseFilter)
  @ApiOperation({
    summary: 'Revoke a member refresh token',
    description:
      'Ends its session: the refresh token and every access token of the session stop working on every instance. ' +
      `A failure answers ${REVOKE_FAILED}.`,
  })
  @ApiOkResponse(NULL_ANSWER)
  @ApiErrors(...BODY_ERRORS, [
    401,
    'INVALID_REFRESH_TOKEN: unknown, expired, already revoked, or not a member refresh token of this tenant',
  ])
  async revokeRefreshToken(
    @Body() dto: RevokeRefreshTokenRequestDto,
    @CurrentHeadless() principal: HeadlessPrincipal,
    @Ctx() ctx: RequestContext,
    @Res() res: Response,
  ): Promise<void> {
    await this.members.revokeRefreshToken(principal, dto.refresh_token, ctx);
    res.status(200).type('application/json; charset=utf-8').send('null');
  }
}
