import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One refresh token of a session's family; only its SHA-256 is stored. */
@Entity('refresh_token')
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'session_id', type: 'uuid' }) sessionId: string;
  @Column({ name: 'token_hash', type: 'bytea' }) tokenHash: Buffer;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  /** Set when it was exchanged for a new one; presenting it again is reuse. */
  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true }) rotatedAt: Date | null;
}
