import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.js';
import { Errors } from '../common/errors/app-error.js';
import { ApiErrors } from '../common/http/api-docs.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { RequirePermissions } from '../tokens/guards/permissions.guard.js';
import { isUuid } from '../common/validation/ids.js';
import { Authenticated } from '../tokens/guards/jwt-auth.guard.js';
import { activeUsersWindow, parseActiveUsersFilter, parseRange } from './active-users.js';
import {
  ACTIVE_USERS_SCHEMA,
  ActiveUsersQueryDto,
  CountDto,
  LoginActivityByIdQueryDto,
  LoginActivityCountQueryDto,
  LoginActivityDto,
  LoginActivityListQueryDto,
} from './dto/login-activity.dto.js';
import {
  invalidFilter,
  parseFieldsFilter,
  parseJsonParam,
  parseListFilter,
} from './filter/loopback-filter.js';
import { ActiveUsersReport, LoginActivityService } from './login-activity.service.js';

export const VIEW_LOGIN_ACTIVITY = 'ViewLoginActivity';

const INVALID_FILTER: [number, string] = [
  400,
  'INVALID_FILTER: bad JSON, a field or operator outside the whitelist, limit over 1000, ...',
];
const FORBIDDEN: [number, string] = [403, 'FORBIDDEN: the token lacks ViewLoginActivity'];
const BAD_QUERY: [number, string] = [422, 'VALIDATION_FAILED: an unknown or mistyped query parameter'];

@ApiTags('Login activity')
@Controller()
// Decorators apply bottom-up: the JWT guard must be registered (and so run) before the permission check.
@RequirePermissions(VIEW_LOGIN_ACTIVITY)
@Authenticated()
@ApiExtraModels(LoginActivityDto)
@ApiErrors(FORBIDDEN, BAD_QUERY)
export class LoginActivityController {
  constructor(private readonly activity: LoginActivityService) {}

  @Get('login-activity')
  @ApiOperation({
    summary: "List login activity of the caller's tenant",
    description:
      'Newest first unless `filter.order` says otherwise (ties broken by id). Results are always limited to the ' +
      'tenant of the access token (its `tid`), whatever `where` says. Needs ViewLoginActivity.',
  })
  @ApiOkResponse({ type: [LoginActivityDto] })
  @ApiErrors(INVALID_FILTER)
  find(
    @Query() query: LoginActivityListQueryDto,
    @CurrentAuth() auth: AuthClaims,
  ): Promise<LoginActivityDto[]> {
    const filter = parseListFilter(parseJsonParam(query.filter, 'filter'));
    return this.activity.find(auth.tid, filter);
  }

  @Get('login-activity/count')
  @ApiOperation({
    summary: "Count login activity of the caller's tenant",
    description:
      'Counts the rows `where` matches, within the tenant of the access token. Needs ViewLoginActivity.',
  })
  @ApiOkResponse({ type: CountDto })
  @ApiErrors(INVALID_FILTER)
  async count(
    @Query() query: LoginActivityCountQueryDto,
    @CurrentAuth() auth: AuthClaims,
  ): Promise<CountDto> {
    const where = parseJsonParam(query.where, 'where');
    if (where !== undefined && (typeof where !== 'object' || Array.isArray(where))) {
      throw invalidFilter('where must be a JSON object');
    }
    return { count: await this.activity.count(auth.tid, where) };
  }

  @Get('login-activity/:id')
  @ApiOperation({
    summary: 'Get one login activity',
    description: "404 unless the row exists in the caller's tenant. Needs ViewLoginActivity.",
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: LoginActivityDto })
  @ApiErrors(INVALID_FILTER, [404, "NOT_FOUND: no such row in the caller's tenant"])
  findById(
    @Param('id') id: string,
    @Query() query: LoginActivityByIdQueryDto,
    @CurrentAuth() auth: AuthClaims,
  ): Promise<LoginActivityDto> {
    const fields = parseFieldsFilter(parseJsonParam(query.filter, 'filter'));
    if (!isUuid(id)) throw Errors.notFound('Login activity not found');
    return this.activity.findById(auth.tid, id, fields);
  }

  @Get('active-users/:range')
  @ApiOperation({
    summary: 'Active users per day, ISO week or month',
    description:
      'Between startDate and endDate (inclusive; default the 30 days up to now), grouped by UTC period and then by ' +
      "loginType: each distinct actor's first activity of that type in that period. `filter` keeps only, or leaves " +
      'out, the users named by id (`actorId`) or by username/email (`userName`). Needs ViewLoginActivity.',
  })
  @ApiParam({ name: 'range', enum: ['daily', 'weekly', 'monthly'] })
  @ApiOkResponse({ schema: ACTIVE_USERS_SCHEMA })
  @ApiErrors(
    [400, 'INVALID_RANGE: range is not daily, weekly or monthly'],
    [400, 'INVALID_FILTER: filter is not JSON of the documented shape'],
    [422, 'VALIDATION_FAILED: startDate or endDate is not ISO 8601, or startDate is after endDate'],
  )
  activeUsers(
    @Param('range') range: string,
    @Query() query: ActiveUsersQueryDto,
    @CurrentAuth() auth: AuthClaims,
  ): Promise<ActiveUsersReport> {
    const r = parseRange(range);
    const filter = parseActiveUsersFilter(parseJsonParam(query.filter, 'filter'));
    return this.activity.activeUsers(auth.tid, r, activeUsersWindow(query.startDate, query.endDate), filter);
  }
}
