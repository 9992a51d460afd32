import { ApiProperty } from '@nestjs/swagger';
import type { AuthClient } from '../../identity/identity.types.js';

/** A client as the admin routes show it: every setting, never the secret or its hash. */
export class ClientDto {
  @ApiProperty({ format: 'uuid', example: '9b2e4c1a-6d3f-4e8b-a1c2-3d4e5f607182' }) id: string;
  @ApiProperty({ example: 'my-spa' }) clientId: string;
  @ApiProperty({ example: 'My single-page app' }) name: string;
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ type: [String], example: ['https://app.example.com/callback'] }) redirectUrls: string[];
  @ApiProperty({ type: [String], example: ['https://app.example.com'] }) allowedOrigins: string[];
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Seconds; null = default (3600)',
    example: 3600,
  })
  accessTokenExpiration: number | null;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Seconds; null = default (30 days)',
    example: null,
  })
  refreshTokenExpiration: number | null;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Seconds; null = default (60)',
    example: null,
  })
  authCodeExpiration: number | null;
  @ApiProperty({ example: false }) mfaRequired: boolean;
  @ApiProperty({ example: false }) public: boolean;
  @ApiProperty({ example: true }) allowSignUp: boolean;
  @ApiProperty({ example: false }) requireOwnerApproval: boolean;
  @ApiProperty({ example: true }) requireEmailVerification: boolean;
  @ApiProperty({ example: false }) captchaRequired: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'https://app.example.com/reset-password' })
  resetPasswordUrl: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) signUpUrl: string | null;
  @ApiProperty({
    enum: ['RS256', 'ES256', 'EdDSA'],
    description: 'How OpenID Connect ID tokens of this client are signed',
    example: 'RS256',
  })
  idTokenSignedResponseAlg: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-22T10:00:00.000Z' }) createdAt: string;
}

/** The answer of a creation or a secret rotation: the only time the clear secret is shown. */
export class ClientWithSecretDto extends ClientDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The clear secret, shown only in this answer (stored as SHA-256); null for a public client',
    example: 'pY3v0bM2kq6oX1v9J8cT4rW7nA5sD0fG2hJ4kL6zX8c',
  })
  clientSecret: string | null;
}

export function clientDto(c: AuthClient): ClientDto {
  return {
    id: c.id,
    clientId: c.clientId,
    name: c.name,
    tenantId: c.tenantId,
    redirectUrls: c.redirectUrls,
    allowedOrigins: c.allowedOrigins,
    accessTokenExpiration: c.accessTokenExpiration,
    refreshTokenExpiration: c.refreshTokenExpiration,
    authCodeExpiration: c.authCodeExpiration,
    mfaRequired: c.mfaRequired,
    public: c.isPublic,
    allowSignUp: c.allowSignUp,
    requireOwnerApproval: c.requireOwnerApproval,
    requireEmailVerification: c.requireEmailVerification,
    captchaRequired: c.captchaRequired,
    resetPasswordUrl: c.resetPasswordUrl,
    signUpUrl: c.signUpUrl,
    idTokenSignedResponseAlg: c.idTokenSignedResponseAlg,
    createdAt: c.createdAt.toISOString(),
  };
}

export function clientWithSecretDto(c: AuthClient, clientSecret: string | null): ClientWithSecretDto {
  return { ...clientDto(c), clientSecret };
}
