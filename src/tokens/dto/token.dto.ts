import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { PKCE_VERIFIER } from '../pkce.js';

/** TokenResponse of API.md section 2. */
export class TokenResponseDto {
  @ApiProperty({
    description: 'JWT access token (Bearer)',
    example: 'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Ii4uLiJ9...',
  })
  accessToken: string;
  @ApiProperty({ description: 'Opaque refresh token; rotates on every use', example: 'x3m1ZxV0k6d0Q8T1...' })
  refreshToken: string;
  @ApiProperty({ description: 'Access-token expiry, epoch milliseconds', example: 1795000000000 })
  expires: number;
}

export class ExchangeCodeDto {
  @ApiProperty({ description: 'The auth code from /auth/login (or a social callback)' })
  @IsString()
  @Length(1, 512)
  code: string;

  @ApiProperty({ example: 'my-spa' })
  @IsString()
  @Length(1, 200)
  clientId: string;

  @ApiPropertyOptional({
    description: 'PKCE verifier; required when the code was issued with a code_challenge',
  })
  @IsOptional()
  @IsString()
  @Matches(PKCE_VERIFIER, { message: 'codeVerifier must be 43-128 characters of [A-Za-z0-9-._~]' })
  codeVerifier?: string;
}

export class RefreshTokenDto {
  @ApiProperty()
  @IsString()
  @Length(1, 512)
  refreshToken: string;

  @ApiPropertyOptional({
    description: 'Switch to this tenant (the user must be an active member)',
    format: 'uuid',
  })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}

export class SwitchTokenDto {
  @ApiProperty()
  @IsString()
  @Length(1, 512)
  refreshToken: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  tenantId: string;
}

export class LogoutDto {
  @ApiProperty()
  @IsString()
  @Length(1, 512)
  refreshToken: string;
}

export class SuccessDto {
  @ApiProperty({ example: true }) success: boolean;
}

export class MeDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, nullable: true, example: 'ada@example.com' }) email: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'ada' }) username: string | null;
  @ApiProperty({ type: String, nullable: true }) firstName: string | null;
  @ApiProperty({ type: String, nullable: true }) lastName: string | null;
  @ApiProperty({ format: 'uuid', description: 'The active tenant of the token' }) tenantId: string;
  @ApiProperty({ type: String, nullable: true, description: 'Role name in the active tenant' }) role:
    string | null;
  @ApiProperty({ type: [String], example: ['ViewLoginActivity'] }) permissions: string[];
  @ApiProperty({ type: Number, nullable: true, example: 42 }) memberId: number | null;
  @ApiProperty() mfaEnabled: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true }) profile: Record<string, unknown>;
}

export class JwksDto {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  keys: Record<string, unknown>[];
}
