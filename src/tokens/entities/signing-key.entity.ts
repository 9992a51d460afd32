import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A JWT signing key pair; the private half encrypted with ENCRYPTION_KEY. */
@Entity('signing_key')
export class SigningKey {
  @PrimaryColumn() kid: string;
  @Column() algorithm: string;
  /** `access`, `id_token`, or `legacy` (a key from before the split, verifying only). */
  @Column({ type: 'varchar' }) purpose: string;
  /** Published from creation; signs only from this moment. */
  @Column({ name: 'activates_at', type: 'timestamptz' }) activatesAt: Date;
  @Column({ name: 'private_key_enc', type: 'text' }) privateKeyEnc: string;
  @Column({ name: 'public_jwk', type: 'jsonb' }) publicJwk: Record<string, unknown>;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  /** Set when a newer key took over signing. */
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true }) retiredAt: Date | null;
  /** A retired key keeps verifying (and stays in the JWKS) until the last token it signed expired. */
  @Column({ name: 'verify_until', type: 'timestamptz', nullable: true }) verifyUntil: Date | null;
}
