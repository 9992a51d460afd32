import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** The local password provider; social providers use their own names (google, azure, saml, ...). */
export const LOCAL_PROVIDER = 'local';

/** How a user proves who they are: a local password hash, or a provider's external id. */
@Entity('user_credential')
export class UserCredential {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column() provider: string;
  @Column({ name: 'external_id' }) externalId: string;
  @Column({ name: 'password_hash', type: 'text', nullable: true }) passwordHash: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
