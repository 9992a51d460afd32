import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import { Db } from '../database/db.js';
import { TenantsService } from '../identity/tenants.service.js';
import { SessionsService } from '../tokens/sessions.service.js';
import { AdminAuth, AdminKeyOnly } from '../tokens/guards/admin.guard.js';
import { AdminPrincipal, assertTenant, CurrentAdmin } from '../tokens/guards/admin-principal.js';
import { CreateTenantDto, TenantDto, tenantDto, UpdateTenantDto } from './dto/tenant.dto.js';
import { UuidPipe } from './uuid.pipe.js';

const KEY_ONLY: [number, string] = [403, 'FORBIDDEN: only the admin key manages tenants'];
const NOT_FOUND: [number, string] = [404, 'NOT_FOUND: no such tenant'];
const KEY_EXISTS: [number, string] = [409, 'TENANT_KEY_EXISTS: another tenant has that key'];

@AdminAuth()
@Controller('admin/tenants')
export class TenantsController {
  constructor(
    private readonly db: Db,
    private readonly tenants: TenantsService,
    private readonly sessions: SessionsService,
  ) {}

  @Post()
  @AdminKeyOnly()
  @ApiOperation({ summary: 'Create a tenant', description: 'Needs the admin key.' })
  @ApiCreatedResponse({ type: TenantDto })
  @ApiErrors(...BODY_ERRORS, KEY_ONLY, KEY_EXISTS)
  async create(@Body() dto: CreateTenantDto): Promise<TenantDto> {
    return tenantDto(await this.tenants.createTenant(dto));
  }

  @Get()
  @AdminKeyOnly()
  @ApiOperation({ summary: 'List tenants', description: 'Needs the admin key. Oldest first.' })
  @ApiOkResponse({ type: [TenantDto] })
  @ApiErrors(KEY_ONLY)
  async list(): Promise<TenantDto[]> {
    return (await this.tenants.listTenants()).map(tenantDto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a tenant', description: 'A ManageAuth token may read its own tenant.' })
  @ApiOkResponse({ type: TenantDto })
  @ApiErrors([403, "FORBIDDEN: another tenant than the token's"], NOT_FOUND)
  async get(
    @Param('id', new UuidPipe('Tenant')) id: string,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<TenantDto> {
    assertTenant(admin, id);
    return tenantDto(await this.tenants.requireTenant(id));
  }

  @Patch(':id')
  @AdminKeyOnly()
  @ApiOperation({ summary: 'Rename a tenant or change its key', description: 'Needs the admin key.' })
  @ApiOkResponse({ type: TenantDto })
  @ApiErrors(...BODY_ERRORS, KEY_ONLY, NOT_FOUND, KEY_EXISTS)
  async update(
    @Param('id', new UuidPipe('Tenant')) id: string,
    @Body() dto: UpdateTenantDto,
  ): Promise<TenantDto> {
    return tenantDto(await this.tenants.updateTenant(id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @AdminKeyOnly()
  @ApiOperation({
    summary: 'Delete a tenant',
    description: 'Needs the admin key. Deletes its roles, clients and memberships too (users stay).',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(KEY_ONLY, NOT_FOUND)
  async delete(@Param('id', new UuidPipe('Tenant')) id: string): Promise<void> {
    // End its sessions first: the cascade would delete them without revoking their access tokens.
    await this.db.transaction(async (tx) => {
      await this.sessions.endWhereIn(tx, { tenantId: id }, { reason: 'tenant_deleted' });
      await this.tenants.deleteTenant(tx, id);
    });
  }
}
