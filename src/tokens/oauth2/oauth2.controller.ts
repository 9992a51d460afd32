import {
  applyDecorators,
  Body,
  Controller,
  createParamDecorator,
  ExecutionContext,
  Get,
  HttpCode,
  Post,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentAuth } from '../../common/decorators/current-auth.js';
import { Errors } from '../../common/errors/app-error.js';
import { ApiErrors } from '../../common/http/api-docs.js';
import type { AuthClaims } from '../../common/http/authenticated-request.js';
import { NoStore } from '../../common/http/no-store.js';
import { Ctx, RequestContext } from '../../common/http/request-context.js';
import { RateLimited } from '../../common/rate-limit/rate-limited.js';
import { UsersService } from '../../identity/users.service.js';
import { Authenticated } from '../guards/jwt-auth.guard.js';
import {
  EmptyDto,
  OAuthErrorDto,
  OAuthTokenRequestDto,
  OAuthTokenResponseDto,
  RevokeRequestDto,
  UserInfoDto,
} from './dto/oauth2.dto.js';
import { toOAuthError } from './oauth-errors.js';
import { OAuth2TokenService } from './oauth2-token.service.js';
import { BasicCredentials, parseBasic } from './token-params.js';

/**
 * HTTP Basic client credentials of the token and revocation endpoints (RFC 6749 section 2.3.1).
 * Malformed ones are an `invalid_request`.
 */
const ClientBasicAuth = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const header = ctx.switchToHttp().getRequest<Request>().headers.authorization;
  try {
    return parseBasic(header);
  } catch (err) {
    throw toOAuthError(err);
  }
});

const RFC_ERRORS = (...more: [number, string][]) => [
  ApiResponse({
    status: 400,
    type: OAuthErrorDto,
    description:
      'invalid_request (INVALID_REQUEST, BAD_REQUEST: not JSON/form), invalid_grant, unsupported_grant_type' +
      (more.length ? `; ${more.map((m) => m[1]).join('; ')}` : ''),
  }),
  ApiResponse({ status: 401, type: OAuthErrorDto, description: 'invalid_client (INVALID_CLIENT)' }),
  ApiResponse({ status: 413, type: OAuthErrorDto, description: 'invalid_request (PAYLOAD_TOO_LARGE)' }),
];

@ApiTags('OAuth 2.0 / OpenID Connect')
@Controller('oauth2')
export class OAuth2Controller {
  constructor(
    private readonly tokens: OAuth2TokenService,
    private readonly users: UsersService,
  ) {}

  @Post('token')
  @HttpCode(200)
  @NoStore()
  @RateLimited()
  @ApiOperation({
    summary: 'Token endpoint (RFC 6749): authorization_code, refresh_token, anonymous visitor tokens',
    description:
      'Accepts the camelCase JSON of the headless SDK (`{clientId, grantType, code, codeVerifier}`) and the RFC 6749 ' +
      'snake_case fields, as JSON or application/x-www-form-urlencoded; unknown parameters are ignored. ' +
      '`authorization_code` needs the PKCE codeVerifier of the code; `refresh_token` rotates the token (a reused one ' +
      'revokes its whole session); `anonymous` answers visitor tokens (`typ: "visitor"`) for the register/login/verify ' +
      'routes. `expires_in` is 14400 unless the client sets accessTokenExpiration. With the `openid` scope the answer ' +
      'also carries an `id_token`. Confidential clients authenticate with client_secret or HTTP Basic. Only codes of ' +
      '/oauth2/authorize are exchanged here (a code of /auth/login: invalid_grant INVALID_CODE); a code presented again ' +
      'after its exchange is refused and ends the session it started. A confidential client session issued here is ' +
      'refreshed only here, with the client authentication. Errors follow ' +
      'RFC 6749 section 5.2 (`error`, `error_description`) plus `statusCode`, `code`, `message`.',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: OAuthTokenRequestDto })
  @ApiOkResponse({ type: OAuthTokenResponseDto })
  @applyDecorators(
    ...RFC_ERRORS([
      400,
      'invalid_grant codes: INVALID_CODE, INVALID_REFRESH_TOKEN, REFRESH_TOKEN_REUSED, MFA_REQUIRED, LOCKED, ...',
    ]),
  )
  @ApiErrors(429)
  async token(
    @Body() body: Record<string, unknown>,
    @ClientBasicAuth() basic: BasicCredentials | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<OAuthTokenResponseDto> {
    try {
      return await this.tokens.token(body, basic, ctx);
    } catch (err) {
      throw toOAuthError(err);
    }
  }

  @Post('revoke')
  @HttpCode(200)
  @RateLimited()
  @ApiOperation({
    summary: 'Token revocation (RFC 7009)',
    description:
      'Revokes an access token, or a refresh token with its whole session (or a visitor token pair), when it was issued ' +
      'to the calling client. Answers 200 for any token, valid or not, so the answer says nothing about it.',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: RevokeRequestDto })
  @ApiOkResponse({ type: EmptyDto, description: 'Done (or nothing to do)' })
  @applyDecorators(...RFC_ERRORS())
  @ApiErrors(429)
  async revoke(
    @Body() body: Record<string, unknown>,
    @ClientBasicAuth() basic: BasicCredentials | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<EmptyDto> {
    try {
      await this.tokens.revoke(body, basic, ctx);
      return {};
    } catch (err) {
      throw toOAuthError(err);
    }
  }

  @Get('userinfo')
  @Authenticated()
  @ApiBearerAuth('access-token')
  @ApiOperation({
    summary: 'OpenID Connect UserInfo of the member of the access token',
    description: 'Visitor tokens are refused (401).',
  })
  @ApiOkResponse({ type: UserInfoDto })
  async userinfo(@CurrentAuth() auth: AuthClaims): Promise<UserInfoDto> {
    const user = await this.users.findById(auth.sub);
    if (!user) throw Errors.unauthorized('The user no longer exists');
    const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
    return { sub: user.id, email: user.email, email_verified: user.emailVerified, name: name || null };
  }
}
