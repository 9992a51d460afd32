import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PgListener } from '../database/pg-listener.js';
import { IdentityModule } from '../identity/identity.module.js';
import { AccessTokensService } from './access-tokens.service.js';
import { AccountService } from './account.service.js';
import { AuthCodesService } from './auth-codes.service.js';
import { AuthCode } from './entities/auth-code.entity.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { Session } from './entities/session.entity.js';
import { SigningKey } from './entities/signing-key.entity.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { SigningKeysService } from './keys/signing-keys.service.js';
import { OneTimeTokensService } from './one-time-tokens.service.js';
import { RevocationService } from './revocation.service.js';
import { SessionsService } from './sessions.service.js';
import { TokenMaintenanceService } from './token-maintenance.service.js';
import { TokensController } from './tokens.controller.js';
import { SessionTokensService } from './session-tokens.service.js';

/** The token engine: signing keys, access tokens, sessions with refresh rotation, codes, revocation. */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKey, Session, RefreshToken, AuthCode]), IdentityModule],
  controllers: [TokensController],
  providers: [
    PgListener,
    SigningKeysService,
    RevocationService,
    AccessTokensService,
    SessionsService,
    AuthCodesService,
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
