import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { SessionTokenProperty } from '../../common/http/api-docs.js';
import {
  AUTHENTICATION_RESPONSE_SCHEMA,
  IsWebAuthnCredential,
  REGISTRATION_RESPONSE_SCHEMA,
} from '../../common/webauthn/credential-shape.js';

export class PasskeyOptionsRequestDto {
  @ApiPropertyOptional({
    description: 'A name for the passkey (default "Passkey", "Passkey 2", ...)',
    example: 'MacBook Touch ID',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;
}

export class PasskeyRegisterDto {
  @ApiProperty({
    description: 'The stateToken of POST /auth/v2/mfa/methods/passkey/options (5 minutes, once)',
  })
  @IsString()
  @Length(1, 512)
  stateToken: string;

  @ApiProperty(REGISTRATION_RESPONSE_SCHEMA as never)
  @IsWebAuthnCredential('registration')
  credential: Record<string, unknown>;
}

export class PasskeyLoginIdDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @Length(3, 320)
  email: string;
}

export class PasskeyLoginOptionsDto {
  @ApiPropertyOptional({
    type: PasskeyLoginIdDto,
    description:
      "Without it: discoverable credentials (no allowCredentials). With it: that account's passkeys only",
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PasskeyLoginIdDto)
  loginId?: PasskeyLoginIdDto;
}

export class PasskeyLoginDto {
  @ApiProperty({ description: 'The stateToken of POST /auth/v2/login/passkey/options (5 minutes, once)' })
  @IsString()
  @Length(1, 512)
  stateToken: string;

  @ApiProperty(AUTHENTICATION_RESPONSE_SCHEMA as never)
  @IsWebAuthnCredential('assertion')
  credential: Record<string, unknown>;
}

/** The options of a WebAuthn ceremony (a JSON object, `description` says which), for the browser. */
const OptionsProperty = (description: string) =>
  ApiProperty({ type: 'object', additionalProperties: true, description });

/** What both ceremonies' options answers carry besides the options. */
class OptionsAnswerDto {
  @ApiProperty({ description: 'Give it back with the credential (single use, 5 minutes)' })
  stateToken: string;
}

export class CreationOptionsAnswerDto extends OptionsAnswerDto {
  @OptionsProperty(
    'PublicKeyCredentialCreationOptionsJSON (for PublicKeyCredential.parseCreationOptionsFromJSON): rp, user, ' +
      'challenge, pubKeyCredParams, timeout, attestation "none", excludeCredentials (the member\'s passkeys), ' +
      'authenticatorSelection {residentKey: "preferred", userVerification: "preferred"}',
  )
  options: Record<string, unknown>;
}

export class RequestOptionsAnswerDto extends OptionsAnswerDto {
  @OptionsProperty(
    'PublicKeyCredentialRequestOptionsJSON (for PublicKeyCredential.parseRequestOptionsFromJSON): challenge, rpId, ' +
      'timeout, userVerification "preferred", allowCredentials only when a loginId was given',
  )
  options: Record<string, unknown>;
}

export class PasskeyMethodAnswerDto {
  @ApiProperty({ format: 'uuid', description: 'The method id of GET /auth/v2/mfa/methods' }) methodId: string;
  @ApiProperty({ enum: ['passkey'] }) type: 'passkey';
  @ApiProperty({ example: 'MacBook Touch ID' }) name: string;
}

class PasskeyIdentityDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'ada@example.com' }) email: string;
  @ApiProperty({ example: 'ACTIVE', description: 'The membership status in the client tenant' })
  status: string;
}

/** The answer of POST /auth/v2/login (API.md section 7). */
export class PasskeyLoginAnswerDto {
  @ApiProperty({
    enum: ['SUCCESS', 'REQUIRE_EMAIL_VERIFICATION', 'REQUIRE_OWNER_APPROVAL'],
    example: 'SUCCESS',
  })
  state: string;
  @SessionTokenProperty()
  sessionToken: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'REQUIRE_EMAIL_VERIFICATION: carries the flow to /auth/v2/verify',
  })
  stateToken: string | null;
  @ApiProperty({ type: PasskeyIdentityDto }) identity: PasskeyIdentityDto;
}
