import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Length, Max, Min, ValidateIf } from 'class-validator';

/** Optional, but `null` is refused (undefined skips validation, null fails it). */
const OptionalNotNull = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** `POST /api/v1/headless/auth_token`: exactly one of the three keys names the member. */
export class MemberTokenRequestDto {
  @ApiPropertyOptional({
    description: "The membership's numeric memberId in the headless token's tenant",
    example: 1042,
    type: 'integer',
    minimum: 1,
  })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  community_member_id?: number;

  @ApiPropertyOptional({ description: 'The member email (case-insensitive)', example: 'ada@example.com' })
  @OptionalNotNull()
  @IsString()
  @Length(1, 320)
  email?: string;

  @ApiPropertyOptional({ description: "The member's id in your SSO (the user's ssoId)", example: 'sso-7731' })
  @OptionalNotNull()
  @IsString()
  @Length(1, 200)
  sso_id?: string;
}

export class MemberRefreshRequestDto {
  @ApiProperty({ description: 'A member refresh token from auth_token', example: 'q1kP0vX8n3...' })
  @IsString()
  @Length(1, 512)
  refresh_token: string;
}

export class RevokeAccessTokenRequestDto {
  @ApiProperty({ description: 'A member access token (JWT) issued through auth_token or refresh' })
  @IsString()
  @Length(1, 8192)
  access_token: string;
}

export class RevokeRefreshTokenRequestDto {
  @ApiProperty({ description: 'A member refresh token from auth_token', example: 'q1kP0vX8n3...' })
  @IsString()
  @Length(1, 512)
  refresh_token: string;
}

export class MemberAccessTokenDto {
  @ApiProperty({
    description: 'A member access token (JWT), valid 1 hour; works on every member route',
    example: 'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9...',
  })
  access_token: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T11:00:00.000Z' })
  access_token_expires_at: string;
}

export class MemberTokensDto extends MemberAccessTokenDto {
  @ApiProperty({
    description: 'A member refresh token, valid 30 days; not rotated by refresh (keep it on the server)',
    example: 'q1kP0vX8n3...',
  })
  refresh_token: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-22T10:00:00.000Z' })
  refresh_token_expires_at: string;

  @ApiProperty({ description: "The membership's memberId", example: 1042 })
  community_member_id: number;

  @ApiProperty({ description: "The tenant's communityId", example: 7 })
  community_id: number;
}
