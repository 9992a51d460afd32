import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.js';
import { ApiErrors } from '../common/http/api-docs.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { RequirePermissions } from '../tokens/guards/permissions.guard.js';
import { Authenticated } from '../tokens/guards/jwt-auth.guard.js';
import { activeUsersWindow, parseRange } from './active-users.js';
import { LoginFailuresQueryDto } from './dto/login-failures.dto.js';
import { VIEW_LOGIN_ACTIVITY } from './login-activity.controller.js';
import { LoginFailuresReport, LoginFailuresService } from './login-failures.service.js';

const REPORT_SCHEMA = {
  type: 'object',
  description:
    'Keyed by period (daily `YYYY-MM-DD`, weekly ISO `YYYY-Www`, monthly `MM-YYYY`, UTC), each keyed by the ' +
    'method of the failed sign-in (`PASSWORD`), holding the number of failures. Periods without any are left out.',
  additionalProperties: { type: 'object', additionalProperties: { type: 'integer', minimum: 1 } },
  example: { '2026-11-30': { PASSWORD: 4 }, '2026-12-01': { PASSWORD: 1 } },
};

@ApiTags('Login activity')
@Controller()
// Decorators apply bottom-up: the JWT guard must be registered (and so run) before the permission check.
@RequirePermissions(VIEW_LOGIN_ACTIVITY)
@Authenticated()
@ApiErrors(
  [403, 'FORBIDDEN: the token lacks ViewLoginActivity'],
  [422, 'VALIDATION_FAILED: an unknown or mistyped query parameter'],
)
export class LoginFailuresController {
  constructor(private readonly failures: LoginFailuresService) {}

  @Get('login-failures/:range')
  @ApiOperation({
    summary: 'Failed sign-ins per day, ISO week or month',
    description:
      "Wrong passwords given on any sign-in route of a client of the caller's tenant (password login, hosted " +
      'login page, headless login, password grant), counted per UTC hour and method (the window is widened to ' +
      'whole hours), between startDate and endDate (inclusive; default the 30 days up to now). Kept apart from ' +
      'login activity, whose rows are sessions. Best effort: a count that could not be written is lost, never ' +
      'the sign-in. Needs ViewLoginActivity.',
  })
  @ApiParam({ name: 'range', enum: ['daily', 'weekly', 'monthly'] })
  @ApiOkResponse({ schema: REPORT_SCHEMA })
  @ApiErrors(
    [400, 'INVALID_RANGE: range is not daily, weekly or monthly'],
    [422, 'VALIDATION_FAILED: startDate or endDate is not ISO 8601, or startDate is after endDate'],
  )
  report(
    @Param('range') range: string,
    @Query() query: LoginFailuresQueryDto,
    @CurrentAuth() auth: AuthClaims,
  ): Promise<LoginFailuresReport> {
    const r = parseRange(range);
    return this.failures.report(auth.tid, r, activeUsersWindow(query.startDate, query.endDate));
  }
}
