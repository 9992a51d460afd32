import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, ValidateNested } from 'class-validator';
import { MEMBERSHIP_STATUSES } from '../../identity/identity.types.js';
import { ProfileDto, ProfileViewDto } from './profile.dto.js';

/**
 * PATCH /auth/v2/members/me: profile fields, at the top level or inside `profile` (both forms of
 * the SDKs); fields left out stay, `null` removes one.
 */
export class UpdateMemberDto extends ProfileDto {
  @ApiPropertyOptional({ type: ProfileDto, description: 'The same fields, nested' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ProfileDto)
  profile?: ProfileDto;
}

export class MemberDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, nullable: true, example: 'ada@example.com' }) email: string | null;
  @ApiProperty() emailVerified: boolean;
  @ApiProperty({
    enum: MEMBERSHIP_STATUSES,
    nullable: true,
    description: 'Membership status in the token tenant',
  })
  status: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 42 }) memberId: number | null;
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ type: ProfileViewDto }) profile: ProfileViewDto;
  @ApiProperty({ example: '2026-11-22T10:00:00.000Z' }) createdAt: string;
  @ApiProperty({ example: '2026-11-22T10:00:00.000Z' }) updatedAt: string;
}
