import { Global, Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { PASSKEY_FACTOR } from '../tokens/passkeys.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { PasskeyFactorProvider } from './passkey-factor.provider.js';
import { PasskeyFlowsService } from './passkey-flows.service.js';
import { PasskeysController } from './passkeys.controller.js';
import { PasskeysService } from './passkeys.service.js';

/**
 * Passkeys (WebAuthn, API.md section 13): registration by a member, passwordless sign-in, and
 * assertions as a second factor. Its own tables (passkey_credential, passkey_challenge) through Db.
 * Global only to hand the token engine's PasskeyFactor (src/tokens/passkeys.ts) to those who need
 * passkeys without importing this feature: the otp module's MFA store and MFA grant, and the
 * hosted login page. Headless sign-in finishes through the token engine's ProvenLogin, which the
 * headless-login module implements.
 */
@Global()
@Module({
  imports: [IdentityModule, TokensModule, NotificationsModule],
  controllers: [PasskeysController],
  providers: [
    PasskeysService,
    PasskeyFlowsService,
    { provide: PASSKEY_FACTOR, useClass: PasskeyFactorProvider },
  ],
  exports: [PASSKEY_FACTOR],
})
export class PasskeysModule {}
