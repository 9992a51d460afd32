import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, MaxLength } from 'class-validator';
import { IsOptionalField } from '../../common/http/field-validators.js';

/** OtpSendRequest (API.md section 4). */
export class SendOtpDto {
  @ApiProperty({ example: 'my-spa' })
  @IsString()
  @Length(1, 200)
  client_id: string;

  @ApiPropertyOptional({ description: 'Required for confidential clients', example: 'k3Jv...secret' })
  @IsOptionalField()
  @IsString()
  @MaxLength(512)
  client_secret?: string;

  @ApiProperty({ description: 'Username or email of the user', example: 'ada@example.com' })
  @IsString()
  @Length(1, 320)
  key: string;

  @ApiPropertyOptional({
    enum: ['email', 'sms'],
    default: 'email',
    description: 'sms is used when the user has a phone number; otherwise the code goes by email',
  })
  @IsOptionalField()
  @IsIn(['email', 'sms'])
  channel?: 'email' | 'sms';
}

/** OtpLoginRequest (API.md section 4). */
export class VerifyOtpDto {
  @ApiProperty({ description: 'Username or email of the user', example: 'ada@example.com' })
  @IsString()
  @Length(1, 320)
  key: string;

  @ApiProperty({
    description:
      'The 6-digit code sent by email or SMS; for a user with an authenticator app its current code, or one of their recovery codes',
    example: '492039',
  })
  @IsString()
  @Length(1, 64)
  otp: string;
}

export class CreateQrCodeDto {
  @ApiProperty({
    description: 'An auth code from /auth/login (still valid, not exchanged)',
    example: 'Qm9X...',
  })
  @IsString()
  @Length(1, 512)
  code: string;

  @ApiProperty({ description: 'The client the code was issued to', example: 'my-spa' })
  @IsString()
  @Length(1, 200)
  clientId: string;
}

export class QrCodeDto {
  @ApiProperty({
    description: 'PNG data URL of an otpauth://totp/ URI holding the new authenticator secret',
    example: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA...',
  })
  qrCode: string;
}

export class QrCodeStatusDto {
  @ApiProperty({ description: 'Whether the user already has a confirmed authenticator app', example: false })
  isGenerated: boolean;
}

export class AuthCodeDto {
  @ApiProperty({
    description: 'Single-use auth code for POST /auth/token',
    example: 'Qm9Xc2V0LWNvZGUtZXhhbXBsZQ',
  })
  code: string;
}

export class OtpSentDto {
  @ApiProperty({ example: true }) success: boolean;
}
