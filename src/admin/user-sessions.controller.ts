import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiErrors } from '../common/http/api-docs.js';
import { AdminAuth } from '../tokens/guards/admin.guard.js';
import { AdminPrincipal, CurrentAdmin } from '../tokens/guards/admin-principal.js';
import { AdminUserSessionsService } from './admin-user-sessions.service.js';
import { UuidPipe } from './uuid.pipe.js';

@AdminAuth()
@Controller('admin/users')
export class UserSessionsController {
  constructor(private readonly sessions: AdminUserSessionsService) {}

  @Delete(':id/sessions')
  @HttpCode(204)
  @ApiParam({ name: 'id', description: "The user's id", format: 'uuid' })
  @ApiOperation({
    summary: "End a user's sessions",
    description:
      'Their refresh tokens stop working and their access tokens are refused on every instance within a second; ' +
      'they must sign in again. The admin key ends every session of the user; a ManageAuth token only the ' +
      "sessions in its own tenant, and only of that tenant's members. Answers 204 also when there was none.",
  })
  @ApiNoContentResponse({ description: 'The sessions ended' })
  @ApiErrors([404, 'NOT_FOUND: no such user (or the id is not a UUID)'])
  async revoke(
    @Param('id', new UuidPipe('User')) id: string,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<void> {
    await this.sessions.revokeAll(admin, id);
  }
}
