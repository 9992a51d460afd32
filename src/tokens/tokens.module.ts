import { Module } from '@nestjs/common';
import { PgListener } from '../database/pg-listener.js';
import { IdentityModule } from '../identity/identity.module.js';
import { AccessTokensService } from './access-tokens.service.js';
import { AccountCache } from './account-cache.js';
import { AccountService } from './account.service.js';
import { AuthCodesService } from './auth-codes.service.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { SigningKeysService } from './keys/signing-keys.service.js';
import { OneTimeTokensService } from './one-time-tokens.service.js';
import { RevocationService } from './revocation.service.js';
import { SessionEndingsService } from './session-endings.service.js';
import { SessionRefreshService } from './session-refresh.service.js';
import { SessionsService } from './sessions.service.js';
import { TokenMaintenanceService } from './token-maintenance.service.js';
import { TokensController } from './tokens.controller.js';
import { SessionTokensService } from './session-tokens.service.js';

/** The token engine: signing keys, access tokens, sessions with refresh rotation, codes, revocation. */
@Module({
  imports: [IdentityModule],
  controllers: [TokensController],
  providers: [
    PgListener,
    SigningKeysService,
    RevocationService,
    AccessTokensService,
    SessionEndingsService,
    SessionRefreshService,
    SessionsService,
    AuthCodesService,
    AccountCache,
    AccountService,
    TokenMaintenanceService,
    OneTimeTokensService,
    SessionTokensService,
    JwtAuthGuard,
  ],
  exports: [
    SigningKeysService,
    AccessTokensService,
    SessionsService,
    AuthCodesService,
    RevocationService,
    OneTimeTokensService,
    SessionTokensService,
    JwtAuthGuard,
  ],
})
export class TokensModule {}
