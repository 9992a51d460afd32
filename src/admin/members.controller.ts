import { Controller, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation } from '@nestjs/swagger';
import { ApiErrors } from '../common/http/api-docs.js';
import { AdminAuth } from '../tokens/guards/admin.guard.js';
import { AdminPrincipal, CurrentAdmin } from '../tokens/guards/admin-principal.js';
import { AdminUsersService } from './admin-users.service.js';
import { TenantQueryDto } from './dto/query.dto.js';
import { UuidPipe } from './uuid.pipe.js';

@AdminAuth()
@Controller('admin/members')
export class MembersController {
  constructor(private readonly users: AdminUsersService) {}

  @Post(':userId/approve')
  @HttpCode(204)
  @ApiOperation({
    summary: "Approve a member waiting for the owner's approval",
    description:
      'The PENDING_APPROVAL membership of tenantId (required when the user has several memberships) becomes ACTIVE.',
  })
  @ApiNoContentResponse({ description: 'Approved' })
  @ApiErrors(
    [404, 'NOT_FOUND: no such user, or the user is not a member of tenantId'],
    [409, 'NOT_PENDING_APPROVAL: the membership is not waiting for approval'],
    [422, 'VALIDATION_FAILED: a malformed tenantId, or none while the user has several memberships'],
  )
  async approve(
    @Param('userId', new UuidPipe('User')) userId: string,
    @Query() query: TenantQueryDto,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<void> {
    await this.users.approve(admin, userId, query.tenantId);
  }
}
