import { Column, Entity, PrimaryColumn } from 'typeorm';

export type OtpChannel = 'email' | 'sms';
/** `login`: /auth/send-otp (section 4); `mfa-grant`: the code of a password-grant MFA challenge (section 8). */
export type OtpPurpose = 'login' | 'mfa-grant';

/**
 * A 6-digit code sent by email or SMS: 5 minutes, single use, 5 wrong tries burn it. Only
 * SHA-256(id, code) is stored; the clear code exists only in the (sealed) outbox message.
 */
@Entity('otp_code')
export class OtpCode {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  /** auth_client.id of the client that asked for it: the login it ends in is for that client. */
  @Column({ name: 'client_id', type: 'uuid' }) clientId: string;
  /** The pending /auth/login code it completes, if it was sent for one. */
  @Column({ name: 'pending_code_id', type: 'uuid', nullable: true }) pendingCodeId: string | null;
  @Column({ type: 'varchar' }) purpose: OtpPurpose;
  @Column({ type: 'varchar' }) channel: OtpChannel;
  @Column({ name: 'code_hash', type: 'bytea' }) codeHash: Buffer;
  @Column({ name: 'failed_attempts', type: 'integer' }) failedAttempts: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true }) usedAt: Date | null;
}
