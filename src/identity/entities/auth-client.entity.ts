import type { JwtAlgorithm } from '../../config/config.js';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** An application that logs users in: a SPA, a mobile app or a server. */
@Entity('auth_client')
export class AuthClient {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** The caller-chosen public identifier (`client_id`). */
  @Column({ name: 'client_id' }) clientId: string;
  @Column() name: string;
  @Column({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  /** SHA-256 hex of the secret; null for public clients. */
  @Column({ name: 'secret_hash', type: 'char', length: 64, nullable: true }) secretHash: string | null;
  @Column({ name: 'is_public', default: false }) isPublic: boolean;
  @Column({ name: 'redirect_urls', type: 'text', array: true }) redirectUrls: string[];
  @Column({ name: 'allowed_origins', type: 'text', array: true }) allowedOrigins: string[];
  @Column({ name: 'access_token_expiration', type: 'integer', nullable: true }) accessTokenExpiration:
    number | null;
  @Column({ name: 'refresh_token_expiration', type: 'integer', nullable: true }) refreshTokenExpiration:
    number | null;
  @Column({ name: 'auth_code_expiration', type: 'integer', nullable: true }) authCodeExpiration:
    number | null;
  @Column({ name: 'mfa_required', default: false }) mfaRequired: boolean;
  @Column({ name: 'allow_sign_up', default: true }) allowSignUp: boolean;
  @Column({ name: 'require_owner_approval', default: false }) requireOwnerApproval: boolean;
  @Column({ name: 'require_email_verification', default: true }) requireEmailVerification: boolean;
  @Column({ name: 'captcha_required', default: false }) captchaRequired: boolean;
  @Column({ name: 'reset_password_url', type: 'text', nullable: true }) resetPasswordUrl: string | null;
  @Column({ name: 'sign_up_url', type: 'text', nullable: true }) signUpUrl: string | null;
  /** How its OpenID Connect ID tokens are signed: RS256 (default), ES256 or EdDSA. */
  @Column({ name: 'id_token_signed_response_alg', type: 'varchar', length: 10, default: 'RS256' })
  idTokenSignedResponseAlg: JwtAlgorithm;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
