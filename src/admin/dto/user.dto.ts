import { ApiProperty } from '@nestjs/swagger';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from '../../identity/identity.types.js';
import type { MemberRecord, Membership, User, UserRecord } from '../../identity/identity.types.js';

export class MembershipDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ description: 'Numeric member id (community_member_id), unique per membership', example: 42 })
  memberId: number;
  @ApiProperty({ type: String, nullable: true, description: 'Role name', example: 'member' }) role:
    string | null;
  @ApiProperty({ enum: MEMBERSHIP_STATUSES, example: 'ACTIVE' }) status: MembershipStatus;
}

/** The answer of POST /admin/users (API.md section 1). */
export class CreatedUserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, nullable: true, example: 'ada@example.com' }) email: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'ada' }) username: string | null;
  @ApiProperty({ description: 'Numeric member id of the new membership', example: 42 }) memberId: number;
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ enum: MEMBERSHIP_STATUSES, example: 'ACTIVE' }) status: MembershipStatus;
}

/** A user with the memberships the caller may see; never a password hash. */
export class UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, nullable: true, example: 'ada@example.com' }) email: string | null;
  @ApiProperty({ example: true }) emailVerified: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'ada' }) username: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Ada' }) firstName: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Lovelace' }) lastName: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) phone: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) ssoId: string | null;
  @ApiProperty({ example: false }) mfaEnabled: boolean;
  @ApiProperty({ format: 'date-time', example: '2026-11-22T10:00:00.000Z' }) createdAt: string;
  @ApiProperty({ type: [MembershipDto] }) memberships: MembershipDto[];
}

export function membershipDto({ membership, role }: MemberRecord): MembershipDto {
  return {
    id: membership.id,
    userId: membership.userId,
    tenantId: membership.tenantId,
    memberId: membership.memberId,
    role,
    status: membership.status,
  };
}

export function createdUserDto(user: User, membership: Membership): CreatedUserDto {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    memberId: membership.memberId,
    tenantId: membership.tenantId,
    status: membership.status,
  };
}

export function userDto({ user, memberships }: UserRecord): UserDto {
  return {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerified,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    phone: user.phone,
    ssoId: user.ssoId,
    mfaEnabled: user.mfaEnabled,
    createdAt: user.createdAt.toISOString(),
    memberships: memberships.map(membershipDto),
  };
}
