import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, ValidateIf } from 'class-validator';
import { ErrorBody } from '../../../common/errors/error-body.js';
import {
  AUTHENTICATION_RESPONSE_SCHEMA,
  IsWebAuthnCredential,
} from '../../../common/webauthn/credential-shape.js';
import { IsOptionalField, NotWith } from '../../../common/http/field-validators.js';

const passwordShape = (o: PasswordGrantDto) =>
  o.refreshToken === undefined ||
  o.email !== undefined ||
  o.password !== undefined ||
  o.clientId !== undefined;

/** `{email, password, clientId}` (password grant) or `{refreshToken}` (a rotated pair). */
export class PasswordGrantDto {
  @ApiPropertyOptional({ description: 'Email (or username) of the user', example: 'ada@example.com' })
  @ValidateIf(passwordShape)
  @IsString()
  @Length(1, 320)
  email?: string;

  @ApiPropertyOptional({ example: 'correct horse battery staple' })
  @ValidateIf(passwordShape)
  @IsString()
  @Length(1, 1024)
  password?: string;

  @ApiPropertyOptional({ description: 'A registered client id; no secret needed', example: 'my-spa' })
  @ValidateIf(passwordShape)
  @IsString()
  @Length(1, 200)
  clientId?: string;

  @ApiPropertyOptional({
    description: 'Instead of the three fields above: a refresh token to rotate',
    example: 'x3m1ZxV0k6d0Q8T1...',
  })
  @IsOptionalField()
  @IsString()
  @Length(1, 512)
  @NotWith(['email', 'password', 'clientId'])
  refreshToken?: string;
}

export class MfaGrantDto {
  @ApiProperty({ description: 'mfa.token of the MFA_REQUIRED answer (5 minutes, 5 wrong codes)' })
  @IsString()
  @Length(1, 512)
  token: string;

  @ApiProperty({ description: 'id of one of mfa.methods', example: '0b8e7c52-3a0c-4e55-9a3e-1f0f7f0f3c11' })
  @IsString()
  @Length(1, 100)
  methodId: string;

  @ApiPropertyOptional({
    description: 'The 6-digit code, or a recovery code for a recoveryCode method (not for a passkey)',
    example: '492039',
  })
  @ValidateIf((o: MfaGrantDto) => o.credential === undefined || o.code !== undefined)
  @IsString()
  @Length(1, 64)
  @NotWith(['credential'])
  code?: string;

  @ApiPropertyOptional({
    ...AUTHENTICATION_RESPONSE_SCHEMA,
    description:
      "For a passkey method instead of code: the browser's credential.toJSON() of navigator.credentials.get() with " +
      'the options of POST /auth/v2/oauth1/tokens/mfa/options',
  } as never)
  @IsOptionalField()
  @IsWebAuthnCredential('assertion')
  credential?: Record<string, unknown>;
}

/** `{token, methodId}`: the assertion options of a passkey method of an MFA challenge. */
export class MfaOptionsDto {
  @ApiProperty({ description: 'mfa.token of the MFA_REQUIRED answer' })
  @IsString()
  @Length(1, 512)
  token: string;

  @ApiProperty({
    description: 'id of a passkey among mfa.methods',
    example: '0b8e7c52-3a0c-4e55-9a3e-1f0f7f0f3c11',
  })
  @IsString()
  @Length(1, 100)
  methodId: string;
}

export class MfaOptionsAnswerDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'PublicKeyCredentialRequestOptionsJSON (for PublicKeyCredential.parseRequestOptionsFromJSON) allowing that ' +
      'passkey; its challenge works once, for this MFA challenge, for 5 minutes',
  })
  options: Record<string, unknown>;
}

export class GrantTokensDto {
  @ApiProperty({ format: 'uuid', description: 'The session id (tokenId of the token list)' }) id: string;
  @ApiProperty({ example: 'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9...' }) accessToken: string;
  @ApiProperty({ description: 'Opaque; rotates on every use', example: 'x3m1ZxV0k6d0Q8T1...' })
  refreshToken: string;
  @ApiProperty({ description: 'Access-token expiry', example: '2026-11-22T10:00:00.000Z' }) expiresAt: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
}

export class MfaChallengeMethodDto {
  @ApiProperty({ example: '0b8e7c52-3a0c-4e55-9a3e-1f0f7f0f3c11' }) id: string;
  @ApiProperty({
    enum: ['totp', 'passkey', 'recoveryCode', 'email', 'sms'],
    description:
      'email/sms: a code was just sent (users without a method of their own, on a client requiring MFA)',
  })
  type: string;
  @ApiProperty({ example: 'Authenticator app' }) name: string;
}

export class MfaChallengeDto {
  @ApiProperty({ description: 'Send it to /auth/v2/oauth1/tokens/mfa' }) token: string;
  @ApiProperty({ type: [MfaChallengeMethodDto] }) methods: MfaChallengeMethodDto[];
}

/** The 401 MFA_REQUIRED answer of the password grant. */
export class MfaRequiredErrorDto extends ErrorBody {
  @ApiProperty({ type: MfaChallengeDto }) mfa: MfaChallengeDto;
}

export class SessionDto {
  @ApiProperty({ format: 'uuid', description: 'The tokenId for DELETE' }) id: string;
  @ApiProperty({ example: 'my-spa' }) clientId: string;
  @ApiProperty({ example: '2026-11-22T10:00:00.000Z' }) createdAt: string;
  @ApiProperty({ example: '2026-11-22T10:30:00.000Z' }) lastUsedAt: string;
  @ApiProperty({ description: 'When the refresh token expires', example: '2026-12-22T10:00:00.000Z' })
  expiresAt: string;
  @ApiProperty({ type: String, nullable: true, example: 'Mozilla/5.0 ...' }) userAgent: string | null;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' }) ipAddress: string | null;
  @ApiProperty({ description: 'The session of the access token making this request' }) current: boolean;
}

export class SsoTokenDto {
  @ApiProperty({ description: 'Single use, 60 seconds' }) ssoToken: string;
  @ApiProperty({ example: '2026-11-22T10:01:00.000Z' }) expiresAt: string;
}

export class ConsumeSsoTokenDto {
  @ApiProperty()
  @IsString()
  @Length(1, 512)
  ssoToken: string;

  @ApiPropertyOptional({
    description:
      'Client of the new session (in its tenant); default: the client of the token that generated it',
    example: 'my-mobile-app',
  })
  @IsOptionalField()
  @IsString()
  @Length(1, 200)
  clientId?: string;
}
