import { Global, Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { LOGIN_ACTIVITY_RECORDER } from '../tokens/login-activity-recorder.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { LoginActivityMaintenance } from './login-activity-maintenance.service.js';
import { LoginActivityController } from './login-activity.controller.js';
import { DbLoginActivityRecorder } from './login-activity.recorder.js';
import { LoginActivityService } from './login-activity.service.js';
import { LoginFailuresController } from './login-failures.controller.js';
import { LoginFailuresRetention, LoginFailuresService } from './login-failures.service.js';
import { LOGIN_FAILURE_SINK } from '../identity/credentials/login-failures.js';

/**
 * The audit trail and its reports (API.md section 6). Global only so that the token engine can
 * receive the recorder it defines without importing a feature module (features -> tokens, never
 * the other way); the report routes import the token engine's guards like any feature.
 */
@Global()
@Module({
  imports: [IdentityModule, TokensModule],
  controllers: [LoginActivityController, LoginFailuresController],
  providers: [
    { provide: LOGIN_ACTIVITY_RECORDER, useClass: DbLoginActivityRecorder },
    LoginActivityMaintenance,
    LoginActivityService,
    LoginFailuresService,
    LoginFailuresRetention,
    { provide: LOGIN_FAILURE_SINK, useExisting: LoginFailuresService },
  ],
  exports: [LOGIN_ACTIVITY_RECORDER, LOGIN_FAILURE_SINK],
})
export class LoginActivityModule {}
