import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from '../../database/transformers.js';

export const MEMBERSHIP_STATUSES = [
  'ACTIVE',
  'PENDING_VERIFICATION',
  'PENDING_APPROVAL',
  'LOCKED',
  'DISABLED',
] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/** A user in a tenant. Statuses live here, so a user can be active in one tenant and pending in another. */
@Entity('membership')
export class Membership {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @Column({ name: 'member_id', type: 'bigint', insert: false, update: false, transformer: bigintToNumber })
  memberId: number;
  @Column({ name: 'role_id', type: 'uuid', nullable: true }) roleId: string | null;
  @Column({ type: 'varchar' }) status: MembershipStatus;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
