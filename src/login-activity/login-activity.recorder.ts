import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { SecretBox, sealedAt } from '../common/crypto/secret-box.js';
import type { LoginActivityEntry, LoginActivityRecorder } from '../tokens/login-activity-recorder.js';

/** Writes the audit row inside the token engine's transaction; payload and IP sealed with AES-256-GCM. */
@Injectable()
export class DbLoginActivityRecorder implements LoginActivityRecorder {
  constructor(private readonly box: SecretBox) {}

  async record(m: EntityManager, e: LoginActivityEntry): Promise<void> {
    // The id is chosen here: the sealed fields are bound to their row.
    const id = randomUUID();
    const at = (column: string) => sealedAt('login_activity', column, id);
    await m.query(
      `INSERT INTO login_activity (id, actor, tenant_id, token_payload_enc, login_type, auth_method, device_info,
                                   user_agent, ip_address_enc)
       VALUES ($9, $1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        e.actor,
        e.tenantId,
        e.tokenPayload ? this.box.encrypt(JSON.stringify(e.tokenPayload), at('token_payload_enc')) : null,
        e.loginType,
        e.authMethod,
        e.deviceInfo,
        e.userAgent,
        e.ipAddress ? this.box.encrypt(e.ipAddress, at('ip_address_enc')) : null,
        id,
      ],
    );
  }
}
