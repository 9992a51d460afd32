import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Errors } from '../common/errors/app-error.js';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import { NoStore } from '../common/http/no-store.js';
import { isUuid } from '../common/validation/ids.js';
import { AdminAuth } from '../tokens/guards/admin.guard.js';
import {
  AdminPrincipal,
  assertTenant,
  CurrentAdmin,
  tenantFilter,
} from '../tokens/guards/admin-principal.js';
import {
  CreatedHeadlessTokenDto,
  CreateHeadlessTokenDto,
  HeadlessTokenDto,
  headlessTokenDto,
  HeadlessTokenListQueryDto,
} from './dto/headless-token.dto.js';
import { HeadlessTokensService } from './headless-tokens.service.js';

const NOT_FOUND: [number, string] = [404, 'NOT_FOUND: no such headless token'];

function requireUuid(id: string): string {
  if (!isUuid(id)) throw Errors.notFound('Headless token not found');
  return id;
}

/** `/admin/headless-tokens` (API.md section 1): the credentials of the headless routes of section 9. */
@AdminAuth()
@Controller('admin/headless-tokens')
export class HeadlessTokensController {
  constructor(private readonly tokens: HeadlessTokensService) {}

  @Post()
  @NoStore()
  @ApiOperation({
    summary: 'Create a headless token',
    description:
      "The token is shown only in this answer; it authorizes /api/v1/headless/* for the tenant's members. A " +
      'ManageAuth token may create them only for its own tenant.',
  })
  @ApiCreatedResponse({ type: CreatedHeadlessTokenDto })
  @ApiErrors(...BODY_ERRORS, [404, 'NOT_FOUND: no such tenant, or no such client in it'])
  async create(
    @Body() dto: CreateHeadlessTokenDto,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<CreatedHeadlessTokenDto> {
    assertTenant(admin, dto.tenantId);
    const { record, secret } = await this.tokens.create(dto);
    const { id, name, ...rest } = headlessTokenDto(record);
    return { id, name, token: secret, ...rest };
  }

  @Get()
  @ApiOperation({
    summary: 'List headless tokens',
    description: "Oldest first, without the tokens. A ManageAuth token sees only its tenant's.",
  })
  @ApiOkResponse({ type: [HeadlessTokenDto] })
  @ApiErrors(422)
  async list(
    @Query() query: HeadlessTokenListQueryDto,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<HeadlessTokenDto[]> {
    return (await this.tokens.list(tenantFilter(admin, query.tenantId))).map(headlessTokenDto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a headless token (without the token)' })
  @ApiOkResponse({ type: HeadlessTokenDto })
  @ApiErrors(NOT_FOUND)
  async get(@Param('id') id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<HeadlessTokenDto> {
    const record = await this.tokens.get(requireUuid(id));
    this.assertVisible(admin, record.token.tenantId);
    return headlessTokenDto(record);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke (delete) a headless token',
    description:
      'The token stops authorizing at once. Member tokens it already issued stay valid until they expire or are revoked.',
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(NOT_FOUND)
  async delete(@Param('id') id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<void> {
    const record = await this.tokens.get(requireUuid(id));
    this.assertVisible(admin, record.token.tenantId);
    await this.tokens.delete(record.token.id);
  }

  /** Another tenant's token is as good as unknown to a ManageAuth token (no probing of ids). */
  private assertVisible(admin: AdminPrincipal, tenantId: string): void {
    if (admin.kind === 'tenant' && admin.tenantId !== tenantId)
      throw Errors.notFound('Headless token not found');
  }
}
