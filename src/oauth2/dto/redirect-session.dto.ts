import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { IsOptionalField } from '../../common/http/field-validators.js';
import { RESPONSE_MODES } from '../auth-request.js';

/** Postgres cannot store NUL in text: refused up front (422), never a failed query (5xx). */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const NO_NUL = /^[^\u0000]*$/;

export class AuthRedirectRequestDto {
  @ApiProperty({ example: 'my-spa', description: 'The client the visitor token was issued to' })
  @IsString()
  @Length(1, 200)
  @Matches(NO_NUL, { message: 'clientId must not contain NUL characters' })
  clientId: string;

  @ApiProperty({
    description: 'PKCE S256 challenge: base64url(SHA-256(codeVerifier))',
    example: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  })
  @IsString()
  @Length(1, 128)
  @Matches(/^[A-Za-z0-9\-._~]+$/, { message: 'codeChallenge must be base64url' })
  codeChallenge: string;

  @ApiProperty({ example: 'S256', description: 'Only S256 (anything else: 400 INVALID_REQUEST)' })
  @IsString()
  @Length(1, 20)
  codeChallengeMethod: string;

  @ApiProperty({ enum: RESPONSE_MODES, example: 'web_message' })
  @IsIn(RESPONSE_MODES)
  responseMode: string;

  @ApiProperty({ enum: ['code'], example: 'code' })
  @IsIn(['code'])
  responseType: string;

  @ApiProperty({
    example: 'offline_access',
    description:
      'Space-separated: offline_access, openid (an id_token comes with the tokens), email, profile',
  })
  @IsString()
  @Length(0, 256)
  scope: string;

  @ApiProperty({ example: 'af0ifjsldkj', description: 'Echoed back with the code' })
  @IsString()
  @Length(1, 1000)
  @Matches(NO_NUL, { message: 'state must not contain NUL characters' })
  state: string;

  @ApiPropertyOptional({ example: 'n-0S6_WzA2Mj', description: 'Put into the id_token (openid scope)' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  @Matches(NO_NUL, { message: 'nonce must not contain NUL characters' })
  nonce?: string;

  @ApiPropertyOptional({
    example: 'https://app.example.com/callback',
    description:
      "One of the client's redirectUrls, exactly (default: the first). For web_message its origin must be one of the client's allowedOrigins.",
  })
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  @Matches(NO_NUL, { message: 'redirectUri must not contain NUL characters' })
  redirectUri?: string;

  @ApiPropertyOptional({
    description:
      'From /auth/v2/register, /login or /verify (state SUCCESS); spent here. Without it /oauth2/authorize serves the hosted login page.',
  })
  @IsOptionalField()
  @IsString()
  @Length(1, 512)
  sessionToken?: string;
}

export class LogoutRedirectRequestDto {
  @ApiProperty({ example: 'my-spa' })
  @IsString()
  @Length(1, 200)
  @Matches(NO_NUL, { message: 'clientId must not contain NUL characters' })
  clientId: string;

  @ApiProperty({
    example: 'https://app.example.com/',
    description: "Where the browser goes after the logout: one of the client's redirectUrls",
  })
  @IsString()
  @Length(1, 2048)
  @Matches(NO_NUL, { message: 'postFlowUrl must not contain NUL characters' })
  postFlowUrl: string;
}

/** Exactly one of `auth` (visitor or member Bearer) and `logout` (member Bearer). */
export class CreateRedirectSessionDto {
  @ApiPropertyOptional({ type: AuthRedirectRequestDto })
  @IsOptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => AuthRedirectRequestDto)
  auth?: AuthRedirectRequestDto;

  @ApiPropertyOptional({ type: LogoutRedirectRequestDto })
  @IsOptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => LogoutRedirectRequestDto)
  logout?: LogoutRedirectRequestDto;
}

export class RedirectSessionDto {
  @ApiProperty({ format: 'uuid', description: 'Redirect session id' }) id: string;
  @ApiProperty({
    example: 'https://auth.example.com/oauth2/authorize?redirectSession=Zk9x...',
    description: 'Absolute, on PUBLIC_URL: open it (iframe for web_message, or a browser redirect)',
  })
  fullUrl: string;
}

export class RedirectSessionResponseDto {
  @ApiProperty({ type: RedirectSessionDto }) redirectSession: RedirectSessionDto;
}
