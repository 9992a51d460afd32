import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import { NoStore } from '../common/http/no-store.js';
import { AdminAuth } from '../tokens/guards/admin.guard.js';
import { AdminPrincipal, CurrentAdmin } from '../tokens/guards/admin-principal.js';
import { AdminClientsService } from './admin-clients.service.js';
import { CreateClientDto, RotateClientSecretDto, UpdateClientDto } from './dto/client-request.dto.js';
import { ClientDto, clientDto, ClientWithSecretDto, clientWithSecretDto } from './dto/client.dto.js';
import { TenantQueryDto } from './dto/query.dto.js';

const NOT_FOUND: [number, string] = [404, 'NOT_FOUND: no such client'];
const CLIENT_ID_EXISTS: [number, string] = [409, 'CLIENT_ID_EXISTS: another client has that clientId'];
const RESERVED_ID: [number, string] = [
  400,
  'VALIDATION_FAILED: a clientId starting headless: or console: (reserved for the service, details name clientId)',
];
const ID_PARAM = { name: 'id', description: "The client's uuid or its clientId", example: 'my-spa' };

@AdminAuth()
@Controller('admin/clients')
export class ClientsController {
  constructor(private readonly clients: AdminClientsService) {}

  @Post()
  @NoStore()
  @ApiOperation({
    summary: 'Create a client',
    description:
      'A confidential client gets the given clientSecret or a generated one; it appears in this answer only and is ' +
      'stored as its SHA-256. A public client (SPA, mobile app) has none. Client ids starting `headless:` or `console:` ' +
      'are reserved for the service (400 VALIDATION_FAILED).',
  })
  @ApiCreatedResponse({ type: ClientWithSecretDto })
  @ApiErrors(...BODY_ERRORS, RESERVED_ID, [404, 'NOT_FOUND: no such tenant'], CLIENT_ID_EXISTS)
  async create(
    @Body() dto: CreateClientDto,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<ClientWithSecretDto> {
    const { client, clientSecret } = await this.clients.create(admin, dto);
    return clientWithSecretDto(client, clientSecret);
  }

  @Get()
  @ApiOperation({
    summary: 'List clients',
    description:
      "A ManageAuth token only sees its own tenant's. Each tenant's admin console client (`console:<tenantId>`, " +
      'managed by the service: it cannot be changed, rotated or deleted, 403) is not listed; GET by its clientId shows it.',
  })
  @ApiOkResponse({ type: [ClientDto] })
  @ApiErrors(422)
  async list(@Query() query: TenantQueryDto, @CurrentAdmin() admin: AdminPrincipal): Promise<ClientDto[]> {
    return (await this.clients.list(admin, query.tenantId)).map(clientDto);
  }

  @Get(':id')
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: 'Get a client', description: 'Never shows the secret.' })
  @ApiOkResponse({ type: ClientDto })
  @ApiErrors(NOT_FOUND)
  async get(@Param('id') id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<ClientDto> {
    return clientDto(await this.clients.get(admin, id));
  }

  @Patch(':id')
  @ApiParam(ID_PARAM)
  @ApiOperation({
    summary: "Change a client's settings",
    description:
      'The secret changes only through POST /admin/clients/{id}/secret. Setting public drops the secret; ' +
      'unsetting it leaves the client without one until the secret is rotated.',
  })
  @ApiOkResponse({ type: ClientDto })
  @ApiErrors(...BODY_ERRORS, RESERVED_ID, NOT_FOUND, CLIENT_ID_EXISTS)
  async update(
    @Param('id') id: string,
    @Body() dto: UpdateClientDto,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<ClientDto> {
    return clientDto(await this.clients.update(admin, id, dto));
  }

  @Post(':id/secret')
  @HttpCode(200)
  @NoStore()
  @ApiParam(ID_PARAM)
  @ApiOperation({
    summary: "Rotate a confidential client's secret",
    description: 'The old secret stops working at once. The new one appears in this answer only.',
  })
  @ApiOkResponse({ type: ClientWithSecretDto })
  @ApiErrors(...BODY_ERRORS, NOT_FOUND, [409, 'CLIENT_IS_PUBLIC: a public client has no secret'])
  async rotateSecret(
    @Param('id') id: string,
    @Body() dto: RotateClientSecretDto,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<ClientWithSecretDto> {
    const { client, clientSecret } = await this.clients.rotateSecret(admin, id, dto.clientSecret);
    return clientWithSecretDto(client, clientSecret);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: 'Delete a client', description: 'Its sessions and pending codes go with it.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(NOT_FOUND)
  async delete(@Param('id') id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<void> {
    await this.clients.delete(admin, id);
  }
}
