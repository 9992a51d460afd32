import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A login session: one refresh-token family. Its id is the `sid` claim of every access token it issued. */
@Entity('session')
export class Session {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  /** auth_client.id (not the public client_id). */
  @Column({ name: 'client_id', type: 'uuid' }) clientId: string;
  @Column({ name: 'auth_method' }) authMethod: string;
  /** The route family that issued it (SessionFace): decides where it may be refreshed or switched. */
  @Column({ type: 'varchar' }) face: string;
  @Column({ name: 'device_info', type: 'varchar', nullable: true }) deviceInfo: string | null;
  @Column({ name: 'user_agent', type: 'varchar', nullable: true }) userAgent: string | null;
  @Column({ name: 'ip_address_enc', type: 'text', nullable: true }) ipAddressEnc: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'last_used_at', type: 'timestamptz' }) lastUsedAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  /** When the newest access token of this session expires: revocations are kept in memory until then. */
  @Column({ name: 'access_expires_at', type: 'timestamptz' }) accessExpiresAt: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @Column({ name: 'revoked_reason', type: 'varchar', nullable: true }) revokedReason: string | null;
  /** The scopes granted at /oauth2/authorize (its access tokens carry them). */
  @Column({ type: 'varchar', nullable: true }) scope: string | null;
}
