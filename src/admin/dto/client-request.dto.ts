import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { CLIENT_SECRET_MIN_LENGTH } from '../../identity/clients.service.js';
import {
  IDENTIFIER,
  IDENTIFIER_MESSAGE,
  IsOrigin,
  IsRedirectUrl,
  IsWebUrl,
  OptionalNotNull,
} from './validators.js';

/** Upper bounds on lifetimes, in seconds: longer ones are mistakes, not settings. */
export const MAX_ACCESS_TTL_S = 24 * 3600;
export const MAX_REFRESH_TTL_S = 365 * 24 * 3600;
export const MAX_AUTH_CODE_TTL_S = 600;
const MAX_URLS = 50;
const ID_TOKEN_ALGS = ['RS256', 'ES256', 'EdDSA'];

/**
 * Client settings that are optional on creation and on PATCH. `null` clears a nullable one
 * (lifetimes then fall back to the defaults).
 */
export class ClientSettingsDto {
  @ApiPropertyOptional({
    type: [String],
    description: 'Browser origins (scheme://host[:port]) allowed by CORS and by the web_message page',
    example: ['https://app.example.com'],
    maxItems: MAX_URLS,
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_URLS)
  @IsOrigin({ each: true })
  allowedOrigins?: string[];

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    description: `Access-token lifetime in seconds (1-${MAX_ACCESS_TTL_S}); default 3600`,
    example: 3600,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ACCESS_TTL_S)
  accessTokenExpiration?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    description: `Refresh-token lifetime in seconds (1-${MAX_REFRESH_TTL_S}); default 30 days`,
    example: 2592000,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_REFRESH_TTL_S)
  refreshTokenExpiration?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    description: `Auth-code lifetime in seconds (1-${MAX_AUTH_CODE_TTL_S}); default 60`,
    example: 60,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_AUTH_CODE_TTL_S)
  authCodeExpiration?: number | null;

  @ApiPropertyOptional({
    description: 'Every login through this client needs a second factor',
    default: false,
  })
  @OptionalNotNull()
  @IsBoolean()
  mfaRequired?: boolean;

  @ApiPropertyOptional({
    description:
      'A public client (SPA, mobile app) has no secret. Making a client public drops its secret; making it ' +
      'confidential leaves it without one until POST /admin/clients/{id}/secret.',
    default: false,
  })
  @OptionalNotNull()
  @IsBoolean()
  public?: boolean;

  @ApiPropertyOptional({ default: true })
  @OptionalNotNull()
  @IsBoolean()
  allowSignUp?: boolean;

  @ApiPropertyOptional({ description: 'New members wait in PENDING_APPROVAL for an admin', default: false })
  @OptionalNotNull()
  @IsBoolean()
  requireOwnerApproval?: boolean;

  @ApiPropertyOptional({ default: true })
  @OptionalNotNull()
  @IsBoolean()
  requireEmailVerification?: boolean;

  @ApiPropertyOptional({ default: false })
  @OptionalNotNull()
  @IsBoolean()
  captchaRequired?: boolean;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Page of the app that password-reset mails link to (default: the first redirectUrls entry)',
    example: 'https://app.example.com/reset-password',
  })
  @IsOptional()
  @IsWebUrl()
  resetPasswordUrl?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Page of the app that sign-up mails link to (default: the first redirectUrls entry)',
    example: 'https://app.example.com/sign-up',
  })
  @IsOptional()
  @IsWebUrl()
  signUpUrl?: string | null;

  @ApiPropertyOptional({
    enum: ID_TOKEN_ALGS,
    description:
      'How OpenID Connect ID tokens of this client are signed (id_token_signed_response_alg); the key of each ' +
      'algorithm is published in the JWKS',
    default: 'RS256',
  })
  @OptionalNotNull()
  @IsIn(ID_TOKEN_ALGS)
  idTokenSignedResponseAlg?: 'RS256' | 'ES256' | 'EdDSA';
}

export class CreateClientDto extends ClientSettingsDto {
  @ApiProperty({ description: 'Public identifier (client_id), unique', example: 'my-spa', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  @Matches(IDENTIFIER, { message: IDENTIFIER_MESSAGE })
  clientId: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: `Secret of a confidential client (${CLIENT_SECRET_MIN_LENGTH}-512 characters); generated when omitted`,
    minLength: CLIENT_SECRET_MIN_LENGTH,
    maxLength: 512,
  })
  @IsOptional()
  @IsString()
  @Length(CLIENT_SECRET_MIN_LENGTH, 512)
  clientSecret?: string | null;

  @ApiProperty({ example: 'My single-page app', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  tenantId: string;

  @ApiProperty({
    type: [String],
    description: 'Absolute http(s) URLs or custom-scheme app URLs (RFC 8252), without fragments',
    example: ['https://app.example.com/callback'],
    maxItems: MAX_URLS,
  })
  @IsArray()
  @ArrayMaxSize(MAX_URLS)
  @IsRedirectUrl({ each: true })
  redirectUrls: string[];
}

/** A client PATCH: every field optional. */
export class UpdateClientDto extends ClientSettingsDto {
  @ApiPropertyOptional({
    description: 'Public identifier (client_id), unique',
    example: 'my-spa',
    maxLength: 200,
  })
  @OptionalNotNull()
  @IsString()
  @Length(1, 200)
  @Matches(IDENTIFIER, { message: IDENTIFIER_MESSAGE })
  clientId?: string;

  @ApiPropertyOptional({ example: 'My single-page app', maxLength: 200 })
  @OptionalNotNull()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'Absolute http(s) URLs or custom-scheme app URLs (RFC 8252), without fragments',
    example: ['https://app.example.com/callback', 'com.example.app:/callback'],
    maxItems: MAX_URLS,
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_URLS)
  @IsRedirectUrl({ each: true })
  redirectUrls?: string[];
}

export class RotateClientSecretDto {
  @ApiPropertyOptional({
    description: `The new secret (${CLIENT_SECRET_MIN_LENGTH}-512 characters); generated when omitted`,
    minLength: CLIENT_SECRET_MIN_LENGTH,
    maxLength: 512,
  })
  @OptionalNotNull()
  @IsString()
  @Length(CLIENT_SECRET_MIN_LENGTH, 512)
  clientSecret?: string;
}
