import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LOGIN_ACTIVITY_RECORDER } from '../tokens/login-activity-recorder.js';
import { LoginActivity } from './entities/login-activity.entity.js';
import { LoginActivityMaintenance } from './login-activity-maintenance.service.js';
import { DbLoginActivityRecorder } from './login-activity.recorder.js';

/**
 * The audit trail. Global only so that the token engine can receive the recorder it defines
 * without importing a feature module (features -> tokens, never the other way).
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([LoginActivity])],
  providers: [
    { provide: LOGIN_ACTIVITY_RECORDER, useClass: DbLoginActivityRecorder },
    LoginActivityMaintenance,
  ],
  exports: [LOGIN_ACTIVITY_RECORDER],
})
export class LoginActivityModule {}
