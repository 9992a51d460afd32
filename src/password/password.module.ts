import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { IdentityModule } from '../identity/identity.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { LocalStrategy } from './local.strategy.js';
import { PasswordLoginService } from './password-login.service.js';
import { PasswordController } from './password.controller.js';
import { PasswordService } from './password.service.js';

@Module({
  imports: [PassportModule, IdentityModule, TokensModule],
  controllers: [PasswordController],
  providers: [PasswordLoginService, PasswordService, LocalStrategy],
})
export class PasswordModule {}
