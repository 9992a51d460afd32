import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A server-to-server credential of one tenant (API.md sections 1 and 9). Only its SHA-256 is stored. */
@Entity('headless_token')
export class HeadlessToken {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  /** The auth client member sessions are issued for; null: the tenant's internal headless client. */
  @Column({ name: 'client_id', type: 'uuid', nullable: true }) clientId: string | null;
  @Column() name: string;
  @Column({ name: 'token_hash', type: 'bytea', select: false }) tokenHash: Buffer;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true }) lastUsedAt: Date | null;
}
