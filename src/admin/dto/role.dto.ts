import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, IsUUID, Length, Matches } from 'class-validator';
import type { Role } from '../../identity/identity.types.js';
import { IDENTIFIER, OptionalNotNull } from './validators.js';

const PERMISSION_MESSAGE = 'each permission must be 1-100 visible ASCII characters without spaces';

export class CreateRoleDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  tenantId: string;

  @ApiProperty({ description: 'Unique in the tenant (case-insensitive)', example: 'admin', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ type: [String], example: ['ManageAuth', 'ViewLoginActivity'], maxItems: 100 })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 100, { each: true, message: PERMISSION_MESSAGE })
  @Matches(IDENTIFIER, { each: true, message: PERMISSION_MESSAGE })
  permissions: string[];
}

export class UpdateRoleDto {
  @ApiPropertyOptional({ example: 'owner', maxLength: 100 })
  @OptionalNotNull()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the whole list', example: ['ManageAuth'] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 100, { each: true, message: PERMISSION_MESSAGE })
  @Matches(IDENTIFIER, { each: true, message: PERMISSION_MESSAGE })
  permissions?: string[];
}

export class RoleDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ example: 'admin' }) name: string;
  @ApiProperty({ type: [String], example: ['ManageAuth', 'ViewLoginActivity'] }) permissions: string[];
  @ApiProperty({ format: 'date-time', example: '2026-11-22T10:00:00.000Z' }) createdAt: string;
}

export function roleDto(r: Role): RoleDto {
  return {
    id: r.id,
    tenantId: r.tenantId,
    name: r.name,
    permissions: r.permissions,
    createdAt: r.createdAt.toISOString(),
  };
}
