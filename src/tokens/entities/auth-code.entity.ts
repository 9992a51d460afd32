import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A single-use authorization code; only its SHA-256 is stored. */
@Entity('auth_code')
export class AuthCode {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'code_hash', type: 'bytea' }) codeHash: Buffer;
  @Column({ name: 'client_id', type: 'uuid' }) clientId: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @Column({ name: 'auth_method' }) authMethod: string;
  /** The second factor is still due: /auth/token refuses it until verify-otp swaps it. */
  @Column({ name: 'mfa_pending', default: false }) mfaPending: boolean;
  @Column({ name: 'redirect_uri', type: 'text', nullable: true }) redirectUri: string | null;
  @Column({ name: 'code_challenge', type: 'varchar', nullable: true }) codeChallenge: string | null;
  @Column({ name: 'code_challenge_method', type: 'varchar', nullable: true }) codeChallengeMethod:
    string | null;
  @Column({ type: 'varchar', nullable: true }) nonce: string | null;
  @Column({ type: 'varchar', nullable: true }) scope: string | null;
  @Column({ name: 'device_info', type: 'varchar', nullable: true }) deviceInfo: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true }) usedAt: Date | null;
  /** Where it may be exchanged: `auth` (/auth/token) or `oauth2` (/oauth2/token). */
  @Column({ type: 'varchar' }) face: string;
  /** The session its exchange started (ended if the code is presented again). */
  @Column({ name: 'session_id', type: 'uuid', nullable: true }) sessionId: string | null;
  /** When the user really signed in (the ID token's `auth_time`). */
  @Column({ name: 'auth_time', type: 'timestamptz', nullable: true }) authTime: Date | null;
}
