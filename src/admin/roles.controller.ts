import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import { AdminAuth } from '../tokens/guards/admin.guard.js';
import { AdminPrincipal, CurrentAdmin } from '../tokens/guards/admin-principal.js';
import { AdminRolesService } from './admin-roles.service.js';
import { TenantQueryDto } from './dto/query.dto.js';
import { CreateRoleDto, RoleDto, roleDto, UpdateRoleDto } from './dto/role.dto.js';
import { UuidPipe } from './uuid.pipe.js';

const NOT_FOUND: [number, string] = [404, 'NOT_FOUND: no such role'];
const ROLE_EXISTS: [number, string] = [409, 'ROLE_EXISTS: the tenant has a role of that name'];

@AdminAuth()
@Controller('admin/roles')
export class RolesController {
  constructor(private readonly roles: AdminRolesService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a role',
    description: 'Its permissions go into the access tokens of its members.',
  })
  @ApiCreatedResponse({ type: RoleDto })
  @ApiErrors(...BODY_ERRORS, [404, 'NOT_FOUND: no such tenant'], ROLE_EXISTS)
  async create(@Body() dto: CreateRoleDto, @CurrentAdmin() admin: AdminPrincipal): Promise<RoleDto> {
    return roleDto(await this.roles.create(admin, dto));
  }

  @Get()
  @ApiOperation({ summary: 'List roles', description: "A ManageAuth token only sees its own tenant's." })
  @ApiOkResponse({ type: [RoleDto] })
  @ApiErrors(422)
  async list(@Query() query: TenantQueryDto, @CurrentAdmin() admin: AdminPrincipal): Promise<RoleDto[]> {
    return (await this.roles.list(admin, query.tenantId)).map(roleDto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a role' })
  @ApiOkResponse({ type: RoleDto })
  @ApiErrors(NOT_FOUND)
  async get(
    @Param('id', new UuidPipe('Role')) id: string,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<RoleDto> {
    return roleDto(await this.roles.get(admin, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Rename a role or replace its permissions',
    description: 'Members get the new permissions with their next token (refresh or login).',
  })
  @ApiOkResponse({ type: RoleDto })
  @ApiErrors(...BODY_ERRORS, NOT_FOUND, ROLE_EXISTS)
  async update(
    @Param('id', new UuidPipe('Role')) id: string,
    @Body() dto: UpdateRoleDto,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<RoleDto> {
    return roleDto(await this.roles.update(admin, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a role', description: 'Its members stay, without a role.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(NOT_FOUND)
  async delete(
    @Param('id', new UuidPipe('Role')) id: string,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<void> {
    await this.roles.delete(admin, id);
  }
}
