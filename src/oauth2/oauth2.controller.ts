import {
  applyDecorators,
  Body,
  Controller,
  createParamDecorator,
  ExecutionContext,
  Get,
  HttpCode,
  Post,
  Req,
  Res,
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
import { isFormPost, type Request, type Response } from '../common/http/http.js';
import { AppError, Errors } from '../common/errors/app-error.js';
import { bearerToken } from '../common/http/bearer.js';
import { ApiErrors } from '../common/http/api-docs.js';
import { NoStore } from '../common/http/no-store.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { UsersService } from '../identity/users.service.js';
import { AccessClaims, AccessTokensService } from '../tokens/access-tokens.service.js';
import { hasScope } from './auth-request.js';
import { scopedClaims } from './scoped-claims.js';
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

const USERINFO_DOC =
  "Needs an access token granted with the `openid` scope (Bearer header). Answers `sub` and the claims the token's " +
  'scopes allow: `email` and `email_verified` with `email`; `name`, `given_name`, `family_name` with `profile`; ' +
  'claims without a value are left out. Visitor tokens are refused (401). Errors carry `WWW-Authenticate: Bearer` ' +
  '(`error="invalid_token"`, or `error="insufficient_scope"` with 403).';

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
    private readonly accessTokens: AccessTokensService,
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
  @NoStore()
  @ApiBearerAuth('access-token')
  @ApiOperation({
    summary: 'OpenID Connect UserInfo of the member of the access token',
    description: USERINFO_DOC,
  })
  @ApiOkResponse({ type: UserInfoDto })
  @ApiErrors(
    [400, 'INVALID_REQUEST: the token sent two ways'],
    [401, 'UNAUTHORIZED: no, an invalid or a visitor access token'],
    [403, 'FORBIDDEN: the token was not granted the openid scope'],
  )
  userinfoGet(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Record<string, unknown>> {
    return this.userinfo(req, res, undefined);
  }

  @Post('userinfo')
  @HttpCode(200)
  @NoStore()
  @ApiBearerAuth('access-token')
  @ApiOperation({
    summary: 'OpenID Connect UserInfo (POST)',
    description: `${USERINFO_DOC} The token may also come as the form field \`access_token\` (RFC 6750 section 2.2), not both.`,
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ type: UserInfoDto })
  @ApiErrors(
    [400, 'INVALID_REQUEST: the token sent two ways'],
    [401, 'UNAUTHORIZED: no, an invalid or a visitor access token'],
    [403, 'FORBIDDEN: the token was not granted the openid scope'],
  )
  userinfoPost(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Body() body: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    return this.userinfo(req, res, body);
  }

  /**
   * RFC 6750 errors carry `WWW-Authenticate: Bearer` with the reason next to the contract's body:
   * `invalid_token` (401), `insufficient_scope` (403, scope openid).
   */
  private async userinfo(
    req: Request,
    res: Response,
    body: Record<string, unknown> | undefined,
  ): Promise<Record<string, unknown>> {
    const header = bearerToken(req);
    const form = body?.access_token;
    if (form !== undefined && (typeof form !== 'string' || !isFormPost(req))) {
      throw new AppError(400, 'INVALID_REQUEST', 'access_token goes in a form-encoded body, once');
    }
    if (header !== undefined && form !== undefined) {
      throw new AppError(400, 'INVALID_REQUEST', 'Send the access token one way only (RFC 6750 section 2)');
    }
    const token = header ?? (form as string | undefined);
    if (!token) {
      res.header('WWW-Authenticate', 'Bearer');
      throw Errors.unauthorized('A Bearer access token is required');
    }
    let claims: AccessClaims;
    try {
      claims = await this.accessTokens.verify(token);
      if (claims.typ === 'visitor') throw Errors.unauthorized('A member access token is required');
    } catch (err) {
      res.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw err;
    }
    if (!hasScope(claims.scope, 'openid')) {
      res.header('WWW-Authenticate', 'Bearer error="insufficient_scope", scope="openid"');
      throw Errors.forbidden('The access token was not granted the openid scope');
    }
    const user = await this.users.findById(claims.sub);
    if (!user) {
      res.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw Errors.unauthorized('The user no longer exists');
    }
    return { sub: user.id, ...scopedClaims(user, claims.scope) };
  }
}
