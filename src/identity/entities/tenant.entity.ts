import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from '../../database/transformers.js';

@Entity('tenant')
export class Tenant {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() key: string;
  @Column() name: string;
  @Column({ name: 'community_id', type: 'bigint', insert: false, update: false, transformer: bigintToNumber })
  communityId: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
