import { Module } from '@nestjs/common';
import { AdminGuard } from '../tokens/guards/admin.guard.js';
import { IdentityModule } from '../identity/identity.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { HeadlessMemberController } from './headless-member.controller.js';
import { HeadlessMemberService } from './headless-member.service.js';
import { HeadlessTokenGuard } from './headless-token.guard.js';
import { HeadlessTokensController } from './headless-tokens.controller.js';
import { HeadlessTokensService } from './headless-tokens.service.js';

/**
 * Server-to-server member tokens (API.md section 9) and the admin routes of their credentials,
 * `/admin/headless-tokens` (section 1, behind the admin guard of src/admin).
 */
@Module({
  imports: [IdentityModule, TokensModule],
  controllers: [HeadlessTokensController, HeadlessMemberController],
  providers: [AdminGuard, HeadlessTokenGuard, HeadlessTokensService, HeadlessMemberService],
})
export class HeadlessMemberModule {}
