import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import type { Tenant } from '../../identity/identity.types.js';
import { IDENTIFIER, IDENTIFIER_MESSAGE, OptionalNotNull } from './validators.js';

export class CreateTenantDto {
  @ApiProperty({
    description: 'Caller-chosen key, unique (case-insensitive)',
    example: 'acme',
    maxLength: 100,
  })
  @IsString()
  @Length(1, 100)
  @Matches(IDENTIFIER, { message: IDENTIFIER_MESSAGE })
  key: string;

  @ApiProperty({ example: 'Acme Corporation', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;
}

export class UpdateTenantDto {
  @ApiPropertyOptional({ example: 'acme-eu', maxLength: 100 })
  @OptionalNotNull()
  @IsString()
  @Length(1, 100)
  @Matches(IDENTIFIER, { message: IDENTIFIER_MESSAGE })
  key?: string;

  @ApiPropertyOptional({ example: 'Acme Europe', maxLength: 200 })
  @OptionalNotNull()
  @IsString()
  @Length(1, 200)
  name?: string;
}

export class TenantDto {
  @ApiProperty({ format: 'uuid', example: '3f1c2f7e-8f5a-4c1e-9d57-0b7a6f2d9e11' }) id: string;
  @ApiProperty({ example: 'acme' }) key: string;
  @ApiProperty({ example: 'Acme Corporation' }) name: string;
  @ApiProperty({ description: 'Numeric tenant id of the headless APIs (community_id)', example: 7 })
  communityId: number;
  @ApiProperty({ format: 'date-time', example: '2026-11-22T10:00:00.000Z' }) createdAt: string;
}

export function tenantDto(t: Tenant): TenantDto {
  return {
    id: t.id,
    key: t.key,
    name: t.name,
    communityId: t.communityId,
    createdAt: t.createdAt.toISOString(),
  };
}
