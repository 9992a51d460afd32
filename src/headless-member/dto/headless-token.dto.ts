import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, Matches, ValidateIf } from 'class-validator';
import type { HeadlessTokenRecord } from '../headless-tokens.service.js';

export class CreateHeadlessTokenDto {
  @ApiProperty({ format: 'uuid', example: '3f1c2f7e-8f5a-4c1e-9d57-0b7a6f2d9e11' })
  @IsUUID()
  tenantId: string;

  @ApiProperty({
    description: 'A label for the server that uses it',
    example: 'community backend',
    maxLength: 200,
  })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({
    description:
      "The tenant's auth client member sessions are issued for (its clientId or id). Default: the tenant's " +
      'internal headless client `headless:<tenantId>`, created on first use.',
    example: 'acme-web',
    maxLength: 200,
  })
  @ValidateIf((_o: object, v: unknown) => v !== undefined)
  @IsString()
  @Length(1, 200)
  @Matches(/^[\x21-\x7e]+$/, { message: 'clientId must be visible ASCII characters without spaces' })
  clientId?: string;
}

export class HeadlessTokenListQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A ManageAuth token may only name its own tenant' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}

export class HeadlessTokenDto {
  @ApiProperty({ format: 'uuid', example: '9d0c4c1e-2b7f-4f0e-8a51-6c2d9e0f1a22' }) id: string;
  @ApiProperty({ example: 'community backend' }) name: string;
  @ApiProperty({ format: 'uuid', example: '3f1c2f7e-8f5a-4c1e-9d57-0b7a6f2d9e11' }) tenantId: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "The chosen client's clientId; null: the tenant's internal headless client",
    example: 'acme-web',
  })
  clientId: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-22T10:00:00.000Z' }) createdAt: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Last use, to the minute; null if never used',
    example: '2026-11-22T10:05:00.000Z',
  })
  lastUsedAt: string | null;
}

export class CreatedHeadlessTokenDto extends HeadlessTokenDto {
  @ApiProperty({
    description: 'The headless token: shown only in this answer (only its SHA-256 is stored)',
    example: 'hdls_3q2Nf0yJ2bq1y5k7PZxv8sQ9mUo3fW4rT6aZ1cX0eLk',
  })
  token: string;
}

export function headlessTokenDto({ token, clientId }: HeadlessTokenRecord): HeadlessTokenDto {
  return {
    id: token.id,
    name: token.name,
    tenantId: token.tenantId,
    clientId,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt ? token.lastUsedAt.toISOString() : null,
  };
}
