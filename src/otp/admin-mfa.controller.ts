import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { Errors } from '../common/errors/app-error.js';
import { ApiErrors } from '../common/http/api-docs.js';
import { isUuid } from '../common/validation/ids.js';
import { AdminAuth } from '../tokens/guards/admin.guard.js';
import { AdminPrincipal, CurrentAdmin } from '../tokens/guards/admin-principal.js';
import { AdminMfaService } from './admin-mfa.service.js';

/** The admin side of the MFA store (which this module owns): resetting a user's MFA. */
@AdminAuth()
@Controller('admin/users')
export class AdminMfaController {
  constructor(private readonly mfa: AdminMfaService) {}

  @Delete(':id/mfa')
  @HttpCode(204)
  @ApiParam({ name: 'id', description: "The user's id", format: 'uuid' })
  @ApiOperation({
    summary: "Reset a user's MFA",
    description:
      'For a user who lost their authenticator: removes every MFA method of the user (authenticators, recovery ' +
      'codes, ...), turns MFA off, ends all their sessions and mails them a notice. They sign in with their ' +
      'password and may set MFA up again. A ManageAuth token may reset only its own members who belong to no ' +
      'other tenant (MFA protects the whole account); the admin key anyone. Answers 204 also when MFA was off.',
  })
  @ApiNoContentResponse({ description: 'MFA is off and the sessions ended' })
  @ApiErrors(
    [403, 'FORBIDDEN: the user is not a member of the token tenant, or belongs to other tenants too'],
    [404, 'NOT_FOUND: no such user (or the id is not a UUID)'],
  )
  async reset(@Param('id') id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<void> {
    if (!isUuid(id)) throw Errors.notFound('User not found');
    await this.mfa.reset(admin, id);
  }
}
