import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsOptional, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { PKCE_CHALLENGE } from '../../tokens/pkce.js';

/** The body (JSON or form) of every social and SAML start route; the query of their GET variants. */
export class SocialStartDto {
  @ApiProperty({ example: 'my-spa' })
  @IsString()
  @Length(1, 200)
  client_id: string;

  @ApiPropertyOptional({ description: 'Required for confidential clients' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  client_secret?: string;

  @ApiPropertyOptional({
    description:
      "Where the browser lands with `?code=` after the login: one of the client's redirectUrls (default: the first)",
    example: 'https://app.example.com/callback',
  })
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  redirect_uri?: string;

  @ApiPropertyOptional({
    description: 'PKCE S256 challenge binding the auth code: /auth/token then needs its codeVerifier',
  })
  @IsOptional()
  @IsString()
  @Matches(PKCE_CHALLENGE, { message: 'code_challenge must be a base64url S256 challenge (43 characters)' })
  code_challenge?: string;

  @ApiPropertyOptional({ enum: ['S256'] })
  @ValidateIf((o: SocialStartDto) => o.code_challenge !== undefined || o.code_challenge_method !== undefined)
  @Equals('S256', { message: 'code_challenge_method must be S256' })
  code_challenge_method?: 'S256';

  @ApiPropertyOptional({
    description:
      "The client's own opaque value (e.g. its CSRF token), echoed as `state` on the final redirect",
  })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  state?: string;
}

/** Apple's form_post callback (documentation only: extra fields Apple adds are ignored). */
export class AppleCallbackDto {
  @ApiPropertyOptional({ description: "Apple's authorization code" }) code?: string;
  @ApiProperty({ description: 'The state the start route issued' }) state: string;
  @ApiPropertyOptional({
    description: 'JSON with the name (and email) Apple sends on the first login only',
    example: '{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"ada@example.com"}',
  })
  user?: string;
  @ApiPropertyOptional({
    description: 'Set when the login failed or was cancelled (e.g. user_cancelled_authorize)',
  })
  error?: string;
}

/** The SAML ACS form (documentation only). */
export class SamlAcsDto {
  @ApiProperty({ description: "The IdP's base64 SAML Response (HTTP-POST binding)" }) SAMLResponse: string;
  @ApiProperty({ description: 'The state the start route issued (sent to the IdP as RelayState)' })
  RelayState: string;
}
