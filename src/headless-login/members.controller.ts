import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.js';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { Authenticated } from '../tokens/guards/jwt-auth.guard.js';
import { MemberDto, UpdateMemberDto } from './dto/member.dto.js';
import { MembersService } from './members.service.js';

@ApiTags('Headless login')
@Controller('auth/v2/members/me')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'The member of the access token, with the profile',
    description: 'Visitor tokens are refused (401). Every profile field is present, null when unknown.',
  })
  @ApiOkResponse({ type: MemberDto })
  me(@CurrentAuth() auth: AuthClaims): Promise<MemberDto> {
    return this.members.me(auth);
  }

  @Patch()
  @Authenticated()
  @ApiOperation({
    summary: "Update the member's profile",
    description:
      'Profile fields at the top level (or inside `profile`), each validated: privacyStatus UNDEFINED|PUBLIC|PRIVATE, ' +
      'tags UNTAGGED|MAIN|HOME|WORK, birthdate YYYY-MM-DD, labels a string array, customFields an object. Fields left ' +
      'out stay as they are; null removes one. firstName and lastName are also the names of /auth/me.',
  })
  @ApiOkResponse({ type: MemberDto })
  @ApiErrors(...BODY_ERRORS)
  update(@CurrentAuth() auth: AuthClaims, @Body() dto: UpdateMemberDto): Promise<MemberDto> {
    return this.members.update(auth, dto);
  }
}
