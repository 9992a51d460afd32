import { Global, Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { PROVEN_LOGIN } from '../tokens/proven-login.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { CaptchaService } from './captcha.service.js';
import { EmailVerificationService } from './email-verification.service.js';
import { HeadlessLoginController } from './headless-login.controller.js';
import { HeadlessLoginService } from './headless-login.service.js';
import { MembersController } from './members.controller.js';
import { MembersService } from './members.service.js';
import { HeadlessProvenLogin } from './proven-login.provider.js';

/**
 * Headless login for custom login pages (API.md section 7): register / login / verify with
 * states, and the member's own profile (the headless password recovery is the password feature's;
 * the mail of an owner's approval is written by the admin route that approves). A SUCCESS hands
 * out a sessionToken, issued by the token engine, that an /oauth2 redirect session spends. Global
 * only to hand the token engine's ProvenLogin (the membership rules after a sign-in that proved
 * both factors, e.g. a passkey) to the feature that proves it, without that feature importing
 * this one.
 */
@Global()
@Module({
  imports: [IdentityModule, TokensModule, NotificationsModule],
  controllers: [HeadlessLoginController, MembersController],
  providers: [
    HeadlessLoginService,
    EmailVerificationService,
    CaptchaService,
    MembersService,
    { provide: PROVEN_LOGIN, useClass: HeadlessProvenLogin },
  ],
  exports: [PROVEN_LOGIN],
})
export class HeadlessLoginModule {}
