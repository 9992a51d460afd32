import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from '../../identity/identity.types.js';
import { OptionalNotNull } from './validators.js';

/** Digits with an optional leading +, and the usual separators. */
const PHONE = /^\+?[0-9][0-9 ().-]{2,38}$/;
const PHONE_MESSAGE = 'phone must be a phone number (digits, optional leading +)';
export const MAX_USER_PAGE = 1000;

/** `role` of a new membership: optional, the name of a role in the tenant. */
const OptionalRole = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: String,
      nullable: true,
      description: 'Role name in the tenant',
      example: 'member',
    }),
    IsOptional(),
    IsString(),
    Length(1, 100),
  );

/**
 * The user fields both POST and PATCH take. Passwords are only bounded here: the policy (12-128
 * characters, not common, not containing the username or email) answers 400 WEAK_PASSWORD.
 */
class UserFieldsDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'ada', maxLength: 320 })
  @IsOptional()
  @IsString()
  @Length(1, 320)
  username?: string | null;

  @ApiPropertyOptional({
    description: 'Checked against the password policy (400 WEAK_PASSWORD)',
    maxLength: 1024,
  })
  @OptionalNotNull()
  @IsString()
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Ada', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  firstName?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Lovelace', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  lastName?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'External SSO id, unique',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  ssoId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '+44 20 7946 0958', maxLength: 40 })
  @IsOptional()
  @IsString()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  phone?: string | null;

  @ApiPropertyOptional({ enum: MEMBERSHIP_STATUSES, description: 'Status of the membership' })
  @OptionalNotNull()
  @IsIn(MEMBERSHIP_STATUSES)
  status?: MembershipStatus;

  @ApiPropertyOptional({
    description:
      'Whether the email is proven (social and SAML logins link only to a proven email). With ADMIN_API_KEY: ' +
      'default true (false keeps it unproven). Ignored for a ManageAuth token: an email it sets starts unproven',
  })
  @OptionalNotNull()
  @IsBoolean()
  emailVerified?: boolean;
}

export class CreateUserDto extends UserFieldsDto {
  @ApiProperty({ description: 'Unique across the service (case-insensitive)', example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(320)
  email: string;

  @ApiPropertyOptional({
    description:
      'Imports a user from another system: a bcrypt ($2a$, $2b$, $2y$; cost 4 to 14) or argon2id PHC hash ' +
      '(at most m=65536 KiB, t=10, p=4; a costlier hash is 400 VALIDATION_FAILED)',
    example: '$2b$12$KIXQ1Vb6b2QeJ8c9lJ1u0eN9wq8b7yXlV8bq3Hc6v6Jm0oJmFhYvG',
    maxLength: 1024,
  })
  @OptionalNotNull()
  @IsString()
  @MaxLength(1024)
  passwordHash?: string;

  @ApiProperty({ format: 'uuid', description: 'The tenant the user becomes a member of' })
  @IsUUID()
  tenantId: string;

  @OptionalRole()
  role?: string | null;
}

export class UpdateUserDto extends UserFieldsDto {
  @ApiPropertyOptional({ example: 'ada@example.com' })
  @OptionalNotNull()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'The membership that status and role apply to; required when the user belongs to several tenants',
  })
  @OptionalNotNull()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Role name in that tenant; null removes it',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  role?: string | null;
}

export class AddMembershipDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  tenantId: string;

  @OptionalRole()
  role?: string | null;
}

export class UserListQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only members of this tenant' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({ description: 'Only the user with this email (case-insensitive)' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({
    description: 'Only users whose email, username, first or last name contains this text (case-insensitive)',
    example: 'ada',
    maxLength: 320,
  })
  @IsOptional()
  @IsString()
  @Length(1, 320)
  search?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_USER_PAGE, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_USER_PAGE)
  limit?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}
