import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One recovery code of a `recoveryCode` method: only its salted SHA-256 is stored; single use. */
@Entity('mfa_recovery_code')
export class MfaRecoveryCode {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'method_id', type: 'uuid' }) methodId: string;
  @Column({ name: 'code_hash', type: 'bytea' }) codeHash: Buffer;
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true }) usedAt: Date | null;
}
