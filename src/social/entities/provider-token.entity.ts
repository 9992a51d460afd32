import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * The latest tokens a provider gave for one of a user's provider credentials, kept only for the
 * provider logouts (/google/logout, /keycloak/logout). Sealed with ENCRYPTION_KEY (AES-256-GCM).
 */
@Entity('social_provider_token')
export class ProviderToken {
  /** user_credential.id (one row per credential; removed with it). */
  @PrimaryColumn({ name: 'credential_id', type: 'uuid' }) credentialId: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column({ type: 'varchar' }) provider: string;
  /** SecretBox-sealed JSON of ProviderTokens. */
  @Column({ name: 'tokens_enc', type: 'text' }) tokensEnc: string;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
