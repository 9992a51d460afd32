import { Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { UsersService } from '../identity/users.service.js';
import type { MemberDto, UpdateMemberDto } from './dto/member.dto.js';
import { ProfileDto, PROFILE_FIELDS } from './dto/profile.dto.js';
import { profileChanges, profileView } from './profile.js';

/** The caller's own member record with its profile (GET/PATCH /auth/v2/members/me). */
@Injectable()
export class MembersService {
  constructor(
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
  ) {}

  async me(auth: AuthClaims): Promise<MemberDto> {
    const user = await this.users.findById(auth.sub);
    if (!user) throw Errors.unauthorized('The user no longer exists');
    const membership = await this.memberships.find(user.id, auth.tid);
    return {
      id: user.id,
      email: user.email,
      emailVerified: user.emailVerified,
      status: membership?.status ?? null,
      memberId: membership?.memberId ?? null,
      tenantId: auth.tid,
      profile: profileView(user.profile, user),
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }

  /** Top-level fields win over the same fields inside `profile`; null removes a field. */
  async update(auth: AuthClaims, dto: UpdateMemberDto): Promise<MemberDto> {
    const merged = new ProfileDto();
    for (const source of [dto.profile, dto]) {
      if (!source) continue;
      for (const field of PROFILE_FIELDS) {
        if (source[field] !== undefined) (merged as Record<string, unknown>)[field] = source[field];
      }
    }
    const { set, unset } = profileChanges(merged);
    if (Object.keys(set).length || unset.length) await this.users.updateProfile(auth.sub, set, unset);
    return this.me(auth);
  }
}
