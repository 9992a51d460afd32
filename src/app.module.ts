import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerModule } from '@nestjs/throttler';
import { CommonModule } from './common/common.module.js';
import { SharedThrottlerStorage } from './common/rate-limit/throttler-storage.js';
import type { AppConfig } from './config/config.js';
import { APP_CONFIG, ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { HeadlessLoginModule } from './headless-login/headless-login.module.js';
import { HeadlessMemberModule } from './headless-member/headless-member.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { LoginActivityModule } from './login-activity/login-activity.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { OAuth2Module } from './oauth2/oauth2.module.js';
import { OtpModule } from './otp/otp.module.js';
import { PasskeysModule } from './passkeys/passkeys.module.js';
import { PasswordModule } from './password/password.module.js';
import { SignupModule } from './signup/signup.module.js';
import { SocialModule } from './social/social.module.js';
import { TokensModule } from './tokens/tokens.module.js';
import { AdminModule } from './admin/admin.module.js';
import { ConsoleModule } from './console/console.module.js';

/** Wires the feature modules; nothing else. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        DatabaseModule,
        EventEmitterModule.forRoot(),
        ScheduleModule.forRoot(),
        ThrottlerModule.forRootAsync({
          inject: [APP_CONFIG, SharedThrottlerStorage],
          useFactory: (c: AppConfig, storage: SharedThrottlerStorage) => ({
            // Named `default` so the guard sends a plain `Retry-After` header.
            throttlers: [{ name: 'default', ttl: 60_000, limit: c.rateLimitPerIp }],
            storage,
          }),
        }),
        LoginActivityModule,
        IdentityModule,
        TokensModule,
        OAuth2Module,
        NotificationsModule,
        PasswordModule,
        OtpModule,
        SignupModule,
        SocialModule,
        AdminModule,
        HeadlessLoginModule,
        HeadlessMemberModule,
        PasskeysModule,
        HealthModule,
        ConsoleModule,
      ],
    };
  }
}
