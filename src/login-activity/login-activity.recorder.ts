import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SecretBox, sealedAt } from '../common/crypto/secret-box.js';
import type { Queryable, StatementStep } from '../database/db.js';
import type { LoginActivityEntry, LoginActivityRecorder } from '../tokens/login-activity-recorder.js';
import { insertLoginActivity, loginActivityStep, NewLoginActivity } from './login-activity.queries.js';

/** Writes the audit row inside the token engine's transaction; payload and IP sealed with AES-256-GCM. */
@Injectable()
export class DbLoginActivityRecorder implements LoginActivityRecorder {
  constructor(private readonly box: SecretBox) {}

  /** Seals the payload and IP under a fresh row id and writes the row on `q`. */
  async record(tx: Queryable, e: LoginActivityEntry): Promise<void> {
    await insertLoginActivity(tx, this.sealed(e));
  }

  step(e: LoginActivityEntry, source: string, firstParam: number): StatementStep {
    return loginActivityStep(this.sealed(e), source, firstParam);
  }

  private sealed(e: LoginActivityEntry): NewLoginActivity {
    // The id is chosen here: the sealed fields are bound to their row.
    const id = randomUUID();
    const at = (column: string) => sealedAt('login_activity', column, id);
    return {
      id,
      actor: e.actor,
      tenantId: e.tenantId,
      tokenPayloadEnc: e.tokenPayload
        ? this.box.encrypt(JSON.stringify(e.tokenPayload), at('token_payload_enc'))
        : null,
      loginType: e.loginType,
      authMethod: e.authMethod,
      deviceInfo: e.deviceInfo,
      userAgent: e.userAgent,
      ipAddressEnc: e.ipAddress ? this.box.encrypt(e.ipAddress, at('ip_address_enc')) : null,
    };
  }
}
