import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type MfaMethodType = 'totp' | 'recoveryCode';

/**
 * A second factor of a user (API.md section 8; the authenticator of section 4 is a `totp` one).
 * A `totp` method holds its secret sealed with ENCRYPTION_KEY and is pending until confirmed; the
 * `recoveryCode` method is the user's set of recovery codes (MfaRecoveryCode). The last accepted
 * TOTP step is kept per user in `mfa_totp_step`.
 */
@Entity('mfa_method')
export class MfaMethod {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column({ type: 'varchar' }) type: MfaMethodType;
  @Column() name: string;
  /** SecretBox-sealed base32 secret (`totp` only). */
  @Column({ name: 'secret_enc', type: 'text', nullable: true }) secretEnc: string | null;
  /** Null while pending (a `totp` method created but not yet proven with a code). */
  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true }) confirmedAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true }) lastUsedAt: Date | null;
}
