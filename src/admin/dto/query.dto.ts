import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

/** `?tenantId=`: limits a list to one tenant, or names the membership an action applies to. */
export class TenantQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A ManageAuth token may only name its own tenant' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}
