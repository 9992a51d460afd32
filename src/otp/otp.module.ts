import { Global, Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { AuthenticatorMethods } from './authenticator-methods.service.js';
import { MfaMethodsController } from './mfa-methods.controller.js';
import { MfaMethodsService } from './mfa-methods.service.js';
import { MfaSettingsService } from './mfa-settings.service.js';
import { PasskeyMethods } from './passkey-methods.js';
import { OtpCodesService } from './otp-codes.service.js';
import { OtpLoginService } from './otp-login.service.js';
import { OtpMaintenanceService } from './otp-maintenance.service.js';
import { OtpController } from './otp.controller.js';
import { MfaSecondFactorVerifier } from './second-factor.verifier.js';
import { SECOND_FACTOR_VERIFIER } from '../tokens/second-factor.js';
import { MFA_CHALLENGE_FACTORS } from '../tokens/mfa-challenges.js';
import { GrantFactors } from './grant-factors.provider.js';
import { AdminGuard } from '../tokens/guards/admin.guard.js';
import { AdminMfaController } from './admin-mfa.controller.js';
import { AdminMfaService } from './admin-mfa.service.js';

/**
 * Second factors and the logins around them: email/SMS one-time codes and the authenticator of
 * the login-code flow (API.md section 4) and the caller's MFA methods (section 8), all over one
 * MFA store (MfaMethodsService). Global only to hand out the interfaces the token engine defines
 * without anyone importing a feature: the SecondFactorVerifier (the hosted login page checks
 * authenticator codes) and the MfaChallengeFactors of the password grant's MFA challenge
 * (oauth2); nothing else is exported.
 */
@Global()
@Module({
  imports: [IdentityModule, TokensModule, NotificationsModule],
  controllers: [OtpController, MfaMethodsController, AdminMfaController],
  providers: [
    MfaMethodsService,
    AuthenticatorMethods,
    OtpCodesService,
    OtpLoginService,
    MfaSettingsService,
    PasskeyMethods,
    OtpMaintenanceService,
    AdminGuard,
    AdminMfaService,
    { provide: SECOND_FACTOR_VERIFIER, useClass: MfaSecondFactorVerifier },
    { provide: MFA_CHALLENGE_FACTORS, useClass: GrantFactors },
  ],
  exports: [SECOND_FACTOR_VERIFIER, MFA_CHALLENGE_FACTORS],
})
export class OtpModule {}
