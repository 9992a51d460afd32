import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * The /oauth2/token body, for the documentation only: the endpoint reads these fields by hand
 * (RFC 6749 section 3.2: unknown parameters are ignored, not refused), in camelCase JSON (seed
 * 002) or RFC 6749 snake_case, JSON or form.
 */
export class OAuthTokenRequestDto {
  @ApiProperty({
    enum: ['authorization_code', 'refresh_token', 'anonymous'],
    description: 'grantType or grant_type',
    example: 'authorization_code',
  })
  grantType: string;

  @ApiPropertyOptional({ description: 'clientId or client_id (or HTTP Basic)', example: 'my-spa' })
  clientId?: string;

  @ApiPropertyOptional({
    description: 'clientSecret or client_secret: confidential clients only (or HTTP Basic)',
  })
  clientSecret?: string;

  @ApiPropertyOptional({ description: 'authorization_code: the code from /oauth2/authorize' })
  code?: string;

  @ApiPropertyOptional({
    description: 'authorization_code: codeVerifier or code_verifier, the PKCE verifier of the code_challenge',
    example: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  })
  codeVerifier?: string;

  @ApiPropertyOptional({
    description:
      'authorization_code: redirectUri or redirect_uri; when sent it must be the one of the authorization',
    example: 'https://app.example.com/callback',
  })
  redirectUri?: string;

  @ApiPropertyOptional({ description: 'refresh_token: refreshToken or refresh_token' })
  refreshToken?: string;

  @ApiPropertyOptional({
    description: 'refresh_token: fewer scopes than were granted (never more: 400 invalid_scope)',
    example: 'openid',
  })
  scope?: string;
}

/** RFC 6749 section 5.1. */
export class OAuthTokenResponseDto {
  @ApiProperty({ description: 'JWT access token', example: 'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9...' })
  access_token: string;
  @ApiProperty({ example: 'Bearer' }) token_type: 'Bearer';
  @ApiProperty({
    description: "Seconds until the access token expires: 14400 unless the client's accessTokenExpiration",
    example: 14400,
  })
  expires_in: number;
  @ApiProperty({ description: 'Opaque refresh token; rotates on every use', example: 'x3m1ZxV0k6d0Q8T1...' })
  refresh_token: string;
  @ApiPropertyOptional({
    description: 'refresh_token with `scope`: the scopes of the new access token',
    example: 'openid',
  })
  scope?: string;
  @ApiPropertyOptional({ description: 'OpenID Connect id_token, when the openid scope was granted' })
  id_token?: string;
}

/** The error of /oauth2/token and /oauth2/revoke: RFC 6749 section 5.2 plus the contract's fields. */
export class OAuthErrorDto {
  @ApiProperty({ example: 400 }) statusCode: number;
  @ApiProperty({
    enum: ['invalid_request', 'invalid_client', 'invalid_grant', 'unsupported_grant_type', 'invalid_scope'],
    example: 'invalid_grant',
  })
  error: string;
  @ApiProperty({ example: 'Invalid, expired or used code' }) error_description: string;
  @ApiProperty({ example: 'INVALID_CODE' }) code: string;
  @ApiProperty({ example: 'Invalid, expired or used code' }) message: string;
}

/** RFC 7009 section 2.1, for the documentation only (read by hand like the token body). */
export class RevokeRequestDto {
  @ApiProperty({ description: 'An access token or a refresh token' }) token: string;
  @ApiPropertyOptional({ enum: ['access_token', 'refresh_token'], description: 'Optional, not needed' })
  token_type_hint?: string;
  @ApiProperty({ description: 'client_id or clientId (or HTTP Basic)', example: 'my-spa' })
  client_id: string;
  @ApiPropertyOptional({ description: 'client_secret: confidential clients only (or HTTP Basic)' })
  client_secret?: string;
}

export class EmptyDto {}

/** OpenID Connect UserInfo (section 5.3): claims without a value, or not granted, are left out. */
export class UserInfoDto {
  @ApiProperty({ format: 'uuid', description: 'The user id (the access token sub)' }) sub: string;
  @ApiPropertyOptional({ description: 'With the email scope', example: 'ada@example.com' }) email?: string;
  @ApiPropertyOptional({ description: 'With the email scope', example: true }) email_verified?: boolean;
  @ApiPropertyOptional({ description: 'With the profile scope', example: 'Ada Lovelace' }) name?: string;
  @ApiPropertyOptional({ description: 'With the profile scope', example: 'Ada' }) given_name?: string;
  @ApiPropertyOptional({ description: 'With the profile scope', example: 'Lovelace' }) family_name?: string;
}
