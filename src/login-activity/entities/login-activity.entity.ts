import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One login, refresh/switch or logout. Partitioned by month on login_time (see the Spine migration). */
@Entity('login_activity')
export class LoginActivity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') actor: string;
  @Column({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @PrimaryColumn({ name: 'login_time', type: 'timestamptz' }) loginTime: Date;
  /** AES-256-GCM sealed JSON of the token's claims. */
  @Column({ name: 'token_payload_enc', type: 'text', nullable: true }) tokenPayloadEnc: string | null;
  @Column({ name: 'login_type' }) loginType: string;
  @Column({ name: 'auth_method' }) authMethod: string;
  @Column({ name: 'device_info', type: 'varchar', nullable: true }) deviceInfo: string | null;
  @Column({ name: 'user_agent', type: 'varchar', nullable: true }) userAgent: string | null;
  /** AES-256-GCM sealed IP address. */
  @Column({ name: 'ip_address_enc', type: 'text', nullable: true }) ipAddressEnc: string | null;
}
