import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsObject, IsString, Length, ValidateNested } from 'class-validator';
import { NoNul } from '../../common/http/no-nul.js';

export class RecoveryRedirectDto {
  @ApiProperty({
    example: 'https://app.example.com/callback',
    description: "Where the member goes after the new password is set: one of the client's redirectUrls",
  })
  @IsString()
  @Length(1, 2048)
  @NoNul()
  url: string;

  @ApiProperty({ example: 'my-spa' })
  @IsString()
  @Length(1, 200)
  @NoNul()
  clientId: string;
}

export class SendRecoveryEmailDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @Length(3, 320)
  @NoNul()
  email: string;

  @ApiProperty({ type: RecoveryRedirectDto })
  @IsObject()
  @ValidateNested()
  @Type(() => RecoveryRedirectDto)
  redirect: RecoveryRedirectDto;
}

export class RecoveryResetDto {
  @ApiProperty({ description: 'The token of the mailed link' })
  @IsString()
  @Length(1, 512)
  token: string;

  @ApiProperty({ example: 'Brand-New-Harbour-77', description: 'The password rules of API.md section 3' })
  @IsString()
  @Length(1, 1000)
  password: string;
}

export class RecoveryResetResponseDto {
  @ApiProperty({ example: 'https://app.example.com/callback' }) redirectUrl: string;
}

/** The `{}` answer. */
export class EmptyResponseDto {}
