import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import { AdminAuth } from '../tokens/guards/admin.guard.js';
import { AdminPrincipal, CurrentAdmin } from '../tokens/guards/admin-principal.js';
import { AdminUsersService } from './admin-users.service.js';
import { AddMembershipDto, CreateUserDto, UpdateUserDto, UserListQueryDto } from './dto/user-request.dto.js';
import {
  CreatedUserDto,
  createdUserDto,
  MembershipDto,
  membershipDto,
  UserDto,
  userDto,
} from './dto/user.dto.js';
import { UuidPipe } from './uuid.pipe.js';

const NOT_FOUND: [number, string] = [404, 'NOT_FOUND: no such user'];
const USER_CONFLICTS: [number, string] = [
  409,
  'EMAIL_ALREADY_EXISTS | USERNAME_ALREADY_EXISTS | SSO_ID_ALREADY_EXISTS: another user has that value',
];
const WEAK_PASSWORD: [number, string] = [
  400,
  'WEAK_PASSWORD: the password breaks the policy (reason in message)',
];
const UNKNOWN_ROLE: [number, string] = [400, 'UNKNOWN_ROLE: the tenant has no role of that name'];

@AdminAuth()
@Controller('admin/users')
export class UsersController {
  constructor(private readonly users: AdminUsersService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a user and their membership of tenantId',
    description:
      'Give password (checked against the policy) or passwordHash (a bcrypt or argon2id hash imported from another ' +
      'system, upgraded to argon2id at the next login), or neither (the user then signs in another way). The email ' +
      "is proven when the ADMIN_API_KEY creates the user (unless emailVerified is false); a ManageAuth token's " +
      'emailVerified is ignored and the email starts unproven.',
  })
  @ApiCreatedResponse({ type: CreatedUserDto })
  @ApiErrors(
    ...BODY_ERRORS,
    WEAK_PASSWORD,
    [
      400,
      'VALIDATION_FAILED: passwordHash too costly to verify (argon2 beyond m=65536, t=10, p=4; bcrypt cost beyond 14)',
    ],
    UNKNOWN_ROLE,
    [404, 'NOT_FOUND: no such tenant'],
    USER_CONFLICTS,
  )
  async create(@Body() dto: CreateUserDto, @CurrentAdmin() admin: AdminPrincipal): Promise<CreatedUserDto> {
    const { user, membership } = await this.users.create(admin, dto);
    return createdUserDto(user, membership);
  }

  @Get()
  @ApiOperation({
    summary: 'List users',
    description:
      'Oldest first, `limit` (default 100, at most 1000) from `offset`; fewer than `limit` means the last page. ' +
      "A ManageAuth token sees only its tenant's members and only their membership there.",
  })
  @ApiOkResponse({ type: [UserDto] })
  @ApiErrors(422)
  async list(@Query() query: UserListQueryDto, @CurrentAdmin() admin: AdminPrincipal): Promise<UserDto[]> {
    return (await this.users.list(admin, query)).map(userDto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user with their memberships' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(NOT_FOUND)
  async get(
    @Param('id', new UuidPipe('User')) id: string,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<UserDto> {
    return userDto(await this.users.get(admin, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a user, or lock / unlock / re-role one of their memberships',
    description:
      'status and role apply to the membership of tenantId (required when the user has several). Any status but ' +
      "ACTIVE ends the user's sessions in that tenant; a new password (policy-checked) ends all their sessions and " +
      'mails the user a notice. A changed email starts unproven, except when the ADMIN_API_KEY sets it (then proven ' +
      "unless emailVerified is false); a ManageAuth token's emailVerified is ignored. " +
      'A ManageAuth token may change identity fields (email, username, password, names, phone, ssoId) only of ' +
      'users who belong to no other tenant.',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(
    ...BODY_ERRORS,
    WEAK_PASSWORD,
    UNKNOWN_ROLE,
    [404, 'NOT_FOUND: no such user, or the user is not a member of tenantId'],
    USER_CONFLICTS,
    [422, 'VALIDATION_FAILED: tenantId is required when the user belongs to several tenants'],
  )
  async update(
    @Param('id', new UuidPipe('User')) id: string,
    @Body() dto: UpdateUserDto,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<UserDto> {
    return userDto(await this.users.update(admin, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a user',
    description:
      "Ends their sessions, then deletes them. With a ManageAuth token only their membership of the token's " +
      'tenant is removed.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(NOT_FOUND)
  async delete(
    @Param('id', new UuidPipe('User')) id: string,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<void> {
    await this.users.delete(admin, id);
  }

  @Post(':id/tenants')
  @ApiOperation({ summary: 'Add the user to another tenant', description: 'The new membership is ACTIVE.' })
  @ApiCreatedResponse({ type: MembershipDto })
  @ApiErrors(
    ...BODY_ERRORS,
    UNKNOWN_ROLE,
    [404, 'NOT_FOUND: no such user or tenant'],
    [409, 'ALREADY_A_MEMBER: the user is already a member of that tenant'],
  )
  async addMembership(
    @Param('id', new UuidPipe('User')) id: string,
    @Body() dto: AddMembershipDto,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<MembershipDto> {
    return membershipDto(await this.users.addMembership(admin, id, dto));
  }
}
