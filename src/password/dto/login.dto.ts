import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { ClientIdField, ClientSecretField } from '../../common/http/client-fields.js';
import { PKCE_CHALLENGE } from '../../tokens/pkce.js';

/** LoginRequest of API.md section 2. */
export class LoginRequestDto {
  @ClientIdField()
  client_id: string;

  @ClientSecretField('Required for confidential clients')
  client_secret?: string;

  @ApiProperty({ description: 'Username or email', example: 'ada@example.com' })
  @IsString()
  @Length(1, 320)
  username: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @Length(1, 1024)
  password: string;
}

/** LoginRequest plus an optional PKCE pair binding the code (`/auth/login`). */
export class LoginCodeRequestDto extends LoginRequestDto {
  @ApiPropertyOptional({ description: 'PKCE S256 challenge: base64url(SHA-256(code_verifier))' })
  @IsOptional()
  @IsString()
  @Matches(PKCE_CHALLENGE, { message: 'code_challenge must be a base64url S256 challenge (43 characters)' })
  code_challenge?: string;

  @ApiPropertyOptional({ enum: ['S256'] })
  @ValidateIf(
    (o: LoginCodeRequestDto) => o.code_challenge !== undefined || o.code_challenge_method !== undefined,
  )
  @Equals('S256', { message: 'code_challenge_method must be S256' })
  code_challenge_method?: 'S256';
}

export class CodeResponseDto {
  @ApiProperty({ description: 'Single-use auth code for /auth/token' }) code: string;
}

export class ChangePasswordDto {
  @ApiProperty({ description: "The refresh token of the caller's current session (it stays logged in)" })
  @IsString()
  @Length(1, 512)
  refreshToken: string;

  @ApiProperty({ description: "The caller's own username or email" })
  @IsString()
  @Length(1, 320)
  username: string;

  @ApiProperty({
    description: 'The new password (12-128 characters, not common, not containing the username or email)',
  })
  @IsString()
  @Length(1, 1024)
  password: string;

  @ApiProperty()
  @IsString()
  @Length(1, 1024)
  oldPassword: string;
}
