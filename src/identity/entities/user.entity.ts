import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('app_user')
export class User {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', nullable: true }) email: string | null;
  @Column({ name: 'email_verified', default: false }) emailVerified: boolean;
  @Column({ type: 'varchar', nullable: true }) username: string | null;
  @Column({ name: 'first_name', type: 'varchar', nullable: true }) firstName: string | null;
  @Column({ name: 'last_name', type: 'varchar', nullable: true }) lastName: string | null;
  @Column({ type: 'varchar', nullable: true }) phone: string | null;
  @Column({ name: 'sso_id', type: 'varchar', nullable: true }) ssoId: string | null;
  /** True once the user has a confirmed second factor (set by the otp module). */
  @Column({ name: 'mfa_enabled', default: false }) mfaEnabled: boolean;
  @Column({ type: 'jsonb', default: () => "'{}'" }) profile: Record<string, unknown>;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
