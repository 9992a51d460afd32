import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsObject, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { ClientIdField, ClientSecretField } from '../../common/http/client-fields.js';

export class CreateSignUpTokenDto {
  @ApiProperty({ description: 'The address the sign-up link is mailed to', example: 'ada@example.com' })
  @IsString()
  @MaxLength(320)
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;

  @ApiPropertyOptional({
    description:
      "Kept with the token and stored as the new user's first `profile` (a JSON object, at most 10,000 " +
      "characters serialised). String `firstName` / `lastName` also fill the user's name.",
    example: { firstName: 'Ada', lastName: 'Lovelace', language: 'en' },
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;

  @ClientIdField('The client whose app the sign-up link opens')
  client_id: string;

  @ClientSecretField('Required for a confidential client only')
  client_secret?: string;
}

export class SignUpTokenInfoDto {
  @ApiProperty({ description: 'The address the token was mailed to', example: 'ada@example.com' })
  email: string;

  @ApiProperty({ description: 'When the token expires (ISO-8601 UTC)', example: '2026-11-22T10:30:00.000Z' })
  expiry: string;
}

export class CreateSignUpUserDto {
  @ApiProperty({ description: 'Must equal the email of the sign-up token', example: 'ada@example.com' })
  @IsString()
  @Length(1, 320)
  email: string;

  @ApiProperty({
    description: '12-128 characters, not a common password, not containing the email',
    example: 'Violet-Harbour-Lantern-42',
  })
  @IsString()
  @Length(1, 1024)
  password: string;
}

export class SignUpUserDto {
  @ApiProperty({ format: 'uuid', example: '6f1c2a9e-8d4b-4c1a-9a57-2f0d7c3b8e11' }) id: string;
  @ApiProperty({ example: 'ada@example.com' }) email: string;
}
