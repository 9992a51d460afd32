import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { SessionTokenProperty } from '../../common/http/api-docs.js';
import { MEMBERSHIP_STATUSES } from '../../identity/identity.types.js';
import { ProfileDto } from './profile.dto.js';
import { NoNul } from './validators.js';

export const LOGIN_STATES = ['SUCCESS', 'REQUIRE_EMAIL_VERIFICATION', 'REQUIRE_OWNER_APPROVAL'] as const;
export type LoginState = (typeof LOGIN_STATES)[number];

export class LoginIdDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @Length(3, 320)
  @NoNul()
  email: string;
}

/** The `loginId` of a register or a login: `{ email }`. */
const LoginIdField = () =>
  applyDecorators(
    ApiProperty({ type: LoginIdDto }),
    IsObject(),
    ValidateNested(),
    Type(() => LoginIdDto),
  );

/** The optional `captchaToken` of a register or a login. */
const CaptchaTokenField = () =>
  applyDecorators(
    ApiPropertyOptional({
      description: "The captcha widget's token; required when the client has captchaRequired",
    }),
    IsOptional(),
    IsString(),
    Length(1, 4096),
  );

export class RegisterDto {
  @LoginIdField()
  loginId: LoginIdDto;

  @ApiProperty({
    example: 'Violet-Harbour-Lantern-42',
    description:
      '12 to 128 characters, not a common password, not containing the email (else 400 WEAK_PASSWORD)',
  })
  @IsString()
  @Length(1, 1000)
  password: string;

  @ApiPropertyOptional({ type: ProfileDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ProfileDto)
  profile?: ProfileDto;

  @CaptchaTokenField()
  captchaToken?: string;
}

export class LoginDto {
  @LoginIdField()
  loginId: LoginIdDto;

  @ApiProperty({ example: 'Violet-Harbour-Lantern-42' })
  @IsString()
  @Length(1, 1000)
  password: string;

  @CaptchaTokenField()
  captchaToken?: string;
}

export class VerifyDto {
  @ApiProperty({ example: '123456', description: 'The 6-digit code of the verification email' })
  @IsString()
  @Length(1, 20)
  code: string;

  @ApiProperty({ description: 'The stateToken of the REQUIRE_EMAIL_VERIFICATION answer' })
  @IsString()
  @Length(1, 512)
  stateToken: string;
}

export class ResendDto {
  @ApiProperty({ description: 'The stateToken of the REQUIRE_EMAIL_VERIFICATION answer' })
  @IsString()
  @Length(1, 512)
  stateToken: string;
}

export class IdentityDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'ada@example.com' }) email: string;
  @ApiProperty({
    enum: MEMBERSHIP_STATUSES,
    example: 'ACTIVE',
    description: 'The membership status in the client tenant',
  })
  status: string;
}

export class LoginStateResponseDto {
  @ApiProperty({ enum: LOGIN_STATES, example: 'SUCCESS' }) state: LoginState;
  @SessionTokenProperty()
  sessionToken: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'REQUIRE_EMAIL_VERIFICATION: carries the unfinished flow to /auth/v2/verify (valid 1 hour)',
  })
  stateToken: string | null;
  @ApiProperty({ type: IdentityDto }) identity: IdentityDto;
}

export class EmptyResponseDto {}
