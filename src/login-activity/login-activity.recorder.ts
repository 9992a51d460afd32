import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SecretBox } from '../common/crypto/secret-box.js';
import type { LoginActivityEntry, LoginActivityRecorder } from '../tokens/login-activity-recorder.js';

/** Writes the audit row inside the token engine's transaction; payload and IP sealed with AES-256-GCM. */
@Injectable()
export class DbLoginActivityRecorder implements LoginActivityRecorder {
  constructor(private readonly box: SecretBox) {}

  async record(m: EntityManager, e: LoginActivityEntry): Promise<void> {
    await m.query(
      `INSERT INTO login_activity (actor, tenant_id, token_payload_enc, login_type, auth_method, device_info,
                                   user_agent, ip_address_enc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        e.actor,
        e.tenantId,
        e.tokenPayload ? this.box.encrypt(JSON.stringify(e.tokenPayload)) : null,
        e.loginType,
        e.authMethod,
        e.deviceInfo,
        e.userAgent,
        e.ipAddress ? this.box.encrypt(e.ipAddress) : null,
      ],
    );
  }
}
