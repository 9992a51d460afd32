import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { IdentityModule } from '../identity/identity.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { LocalStrategy } from './local.strategy.js';
import { PasswordRecoveryController } from './password-recovery.controller.js';
import { PasswordRecoveryService } from './password-recovery.service.js';
import { PasswordLoginService } from './password-login.service.js';
import { PasswordController } from './password.controller.js';
import { PasswordService } from './password.service.js';

@Module({
  imports: [PassportModule, IdentityModule, TokensModule, NotificationsModule],
  controllers: [PasswordController, PasswordRecoveryController],
  providers: [PasswordLoginService, PasswordService, PasswordRecoveryService, LocalStrategy],
})
export class PasswordModule {}
