import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { SignUpTokenGuard } from './sign-up-token.guard.js';
import { SignupController } from './signup.controller.js';
import { SignupService } from './signup.service.js';

/** Sign-up by emailed token (API.md section 3). */
@Module({
  imports: [IdentityModule, TokensModule, NotificationsModule],
  controllers: [SignupController],
  providers: [SignupService, SignUpTokenGuard],
})
export class SignupModule {}
