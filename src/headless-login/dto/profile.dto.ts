import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate, IsSmallJsonObject, NoNul } from './validators.js';

export const PROFILE_TAGS = ['UNTAGGED', 'MAIN', 'HOME', 'WORK'] as const;
export const PRIVACY_STATUSES = ['UNDEFINED', 'PUBLIC', 'PRIVATE'] as const;

/** Every field of the member profile (seed 002), in the order of its table. */
export const PROFILE_FIELDS = [
  'firstName',
  'lastName',
  'nickname',
  'picture',
  'labels',
  'language',
  'privacyStatus',
  'customFields',
  'secondaryEmails',
  'phonesV2',
  'addresses',
  'company',
  'position',
  'birthdate',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export class SecondaryEmailDto {
  @ApiProperty({ example: 'ada.work@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @Length(3, 320)
  @NoNul()
  email: string;

  @ApiPropertyOptional({ enum: PROFILE_TAGS, default: 'UNTAGGED', example: 'WORK' })
  @IsOptional()
  @IsIn(PROFILE_TAGS)
  tag?: string;
}

export class PhoneDto {
  @ApiPropertyOptional({ example: '+44', description: 'Country calling code or ISO country code' })
  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9A-Za-z]{1,8}$/, { message: 'countryCode must be like +44 or GB' })
  countryCode?: string;

  @ApiProperty({ example: '20 7946 0000' })
  @IsString()
  @Length(1, 40)
  @Matches(/^[0-9 ()+\-./]+$/, { message: 'phone may hold digits, spaces and + ( ) - . / only' })
  phone: string;

  @ApiPropertyOptional({ enum: PROFILE_TAGS, default: 'UNTAGGED', example: 'MAIN' })
  @IsOptional()
  @IsIn(PROFILE_TAGS)
  tag?: string;
}

export class AddressDto {
  @ApiProperty({ example: '12 Harbour Street, Bristol BS1 4RN, UK' })
  @IsString()
  @Length(1, 500)
  @NoNul()
  address: string;

  @ApiPropertyOptional({ enum: PROFILE_TAGS, default: 'UNTAGGED', example: 'HOME' })
  @IsOptional()
  @IsIn(PROFILE_TAGS)
  tag?: string;
}

/**
 * The member profile of seed 002, every field validated (API.md section 7). All fields are
 * optional; in a PATCH, `null` removes a field.
 */
export class ProfileDto {
  @ApiPropertyOptional({ example: 'Ada', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @NoNul()
  firstName?: string | null;

  @ApiPropertyOptional({ example: 'Lovelace', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @NoNul()
  lastName?: string | null;

  @ApiPropertyOptional({ example: 'ada', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @NoNul()
  nickname?: string | null;

  @ApiPropertyOptional({ example: 'https://cdn.example.com/ada.png', maxLength: 2048 })
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  @NoNul()
  picture?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['vip', 'newsletter'], maxItems: 100 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  @NoNul({ each: true })
  labels?: string[] | null;

  @ApiPropertyOptional({ example: 'en', maxLength: 35 })
  @IsOptional()
  @IsString()
  @Length(1, 35)
  @NoNul()
  language?: string | null;

  @ApiPropertyOptional({ enum: PRIVACY_STATUSES, example: 'PRIVATE' })
  @IsOptional()
  @IsIn(PRIVACY_STATUSES)
  privacyStatus?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { favouriteColour: 'violet', shoeSize: 38 },
    description: 'Any JSON object (at most 5 levels and 200 keys)',
  })
  @IsOptional()
  @IsSmallJsonObject()
  customFields?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: [SecondaryEmailDto], maxItems: 20 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => SecondaryEmailDto)
  secondaryEmails?: SecondaryEmailDto[] | null;

  @ApiPropertyOptional({ type: [PhoneDto], maxItems: 20 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PhoneDto)
  phonesV2?: PhoneDto[] | null;

  @ApiPropertyOptional({ type: [AddressDto], maxItems: 20 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AddressDto)
  addresses?: AddressDto[] | null;

  @ApiPropertyOptional({ example: 'Analytical Engines Ltd', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @NoNul()
  company?: string | null;

  @ApiPropertyOptional({ example: 'Engineer', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @NoNul()
  position?: string | null;

  @ApiPropertyOptional({ example: '1815-12-10', description: 'YYYY-MM-DD' })
  @IsOptional()
  @IsCalendarDate()
  birthdate?: string | null;
}

/** The profile as answered: every field present, null when unknown. */
export class ProfileViewDto {
  @ApiProperty({ type: String, nullable: true, example: 'Ada' }) firstName: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Lovelace' }) lastName: string | null;
  @ApiProperty({ type: String, nullable: true }) nickname: string | null;
  @ApiProperty({ type: String, nullable: true }) picture: string | null;
  @ApiProperty({ type: [String], nullable: true }) labels: string[] | null;
  @ApiProperty({ type: String, nullable: true, example: 'en' }) language: string | null;
  @ApiProperty({ enum: PRIVACY_STATUSES, nullable: true }) privacyStatus: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) customFields: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ type: [SecondaryEmailDto], nullable: true }) secondaryEmails: SecondaryEmailDto[] | null;
  @ApiProperty({ type: [PhoneDto], nullable: true }) phonesV2: PhoneDto[] | null;
  @ApiProperty({ type: [AddressDto], nullable: true }) addresses: AddressDto[] | null;
  @ApiProperty({ type: String, nullable: true }) company: string | null;
  @ApiProperty({ type: String, nullable: true }) position: string | null;
  @ApiProperty({ type: String, nullable: true, example: '1815-12-10' }) birthdate: string | null;
}
