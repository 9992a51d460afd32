import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { IsOptionalField, NotWith } from '../../common/http/field-validators.js';

export class MfaMethodDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['totp', 'passkey', 'recoveryCode'] }) type: string;
  @ApiProperty({ example: 'Authenticator app' }) name: string;
  @ApiProperty({ description: 'false while a new authenticator waits for its first code' })
  confirmed: boolean;
  @ApiProperty({ example: '2026-11-22T10:00:00.000Z' }) createdAt: string;
  @ApiProperty({ type: String, nullable: true, example: '2026-11-22T10:05:00.000Z' }) lastUsedAt:
    string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Unused recovery codes (recoveryCode only)',
    example: 9,
  })
  remainingCodes: number | null;
}

/** Proof of the account owner: the current password, or a code of an existing method (not both). */
export class OwnerProofDto {
  @ApiPropertyOptional({ description: 'The current password', example: 'correct horse battery staple' })
  @IsOptionalField()
  @IsString()
  @Length(1, 1024)
  password?: string;

  @ApiPropertyOptional({
    description: 'Instead of the password: a current authenticator code or an unused recovery code',
    example: '492039',
  })
  @IsOptionalField()
  @IsString()
  @Length(1, 64)
  @NotWith(['password'])
  code?: string;
}

export class TotpSetupDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Confirm it with POST /auth/v2/mfa/methods/{methodId}/confirm',
  })
  methodId: string;
  @ApiProperty({
    description: 'Base32 secret (for typing into an app by hand)',
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  })
  secret: string;
  @ApiProperty({
    example: 'otpauth://totp/Acme:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Acme',
  })
  otpauthUrl: string;
  @ApiProperty({ description: 'PNG data URL of otpauthUrl', example: 'data:image/png;base64,iVBORw0KGgo...' })
  qrCode: string;
}

export class ConfirmMfaDto {
  @ApiProperty({ description: 'The current code of the new authenticator', example: '492039' })
  @IsString()
  @Length(1, 64)
  code: string;
}

export class ConfirmedMfaDto extends MfaMethodDto {
  @ApiProperty({
    type: [String],
    description: '10 single-use recovery codes, shown only in this answer (they replace any older set)',
    example: ['7k2mq-9xw4d', 'a3f9t-0qz7c'],
  })
  recoveryCodes: string[];
}
