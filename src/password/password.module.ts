import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { IdentityModule } from '../identity/identity.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { RecoveryController } from './headless-recovery.controller.js';
import { HeadlessRecoveryService } from './headless-recovery.service.js';
import { LocalStrategy } from './local.strategy.js';
import { PasswordRecoveryController } from './password-recovery.controller.js';
import { PasswordRecoveryService } from './password-recovery.service.js';
import { PasswordLoginService } from './password-login.service.js';
import { PasswordResetService } from './password-reset.service.js';
import { PasswordController } from './password.controller.js';
import { PasswordService } from './password.service.js';

/**
 * Password login and change (API.md section 2), and both password-reset flows over one
 * PasswordResetService: forgot / reset password (section 3) and the headless recovery (section 7).
 */
@Module({
  imports: [PassportModule, IdentityModule, TokensModule, NotificationsModule],
  controllers: [PasswordController, PasswordRecoveryController, RecoveryController],
  providers: [
    PasswordLoginService,
    PasswordService,
    PasswordResetService,
    PasswordRecoveryService,
    HeadlessRecoveryService,
    LocalStrategy,
  ],
})
export class PasswordModule {}
