import type { MembershipStatus } from '../common/vocabulary.js';
import type { JwtAlgorithm } from '../config/config.js';

/** A tenant: the users, roles and clients of one organisation. */
export interface Tenant {
  id: string;
  key: string;
  name: string;
  /** A short numeric id (bigint in the schema), as the API shows it. */
  communityId: number;
  createdAt: Date;
}

/** A named set of permissions in a tenant. */
export interface Role {
  id: string;
  tenantId: string;
  name: string;
  permissions: string[];
  createdAt: Date;
}

/** An application that logs users in: a SPA, a mobile app or a server. */
export interface AuthClient {
  id: string;
  /** The caller-chosen public identifier (`client_id`). */
  clientId: string;
  name: string;
  tenantId: string;
  /** SHA-256 hex of the secret; null for public clients. */
  secretHash: string | null;
  isPublic: boolean;
  redirectUrls: string[];
  allowedOrigins: string[];
  accessTokenExpiration: number | null;
  refreshTokenExpiration: number | null;
  authCodeExpiration: number | null;
  mfaRequired: boolean;
  allowSignUp: boolean;
  requireOwnerApproval: boolean;
  requireEmailVerification: boolean;
  captchaRequired: boolean;
  resetPasswordUrl: string | null;
  signUpUrl: string | null;
  /** How its OpenID Connect ID tokens are signed: RS256 (default), ES256 or EdDSA. */
  idTokenSignedResponseAlg: JwtAlgorithm;
  createdAt: Date;
  updatedAt: Date;
}

/** A person who can log in; what they may do in a tenant is their membership's. */
export interface User {
  id: string;
  email: string | null;
  emailVerified: boolean;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  ssoId: string | null;
  /** True once the user has a confirmed second factor (set by the otp module). */
  mfaEnabled: boolean;
  profile: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** The local password provider; social providers use their own names (google, azure, saml, ...). */
export const LOCAL_PROVIDER = 'local';

export { MEMBERSHIP_STATUSES, type MembershipStatus } from '../common/vocabulary.js';

/** A user in a tenant. Statuses live here, so a user can be active in one tenant and pending in another. */
export interface Membership {
  id: string;
  userId: string;
  tenantId: string;
  /** A short numeric id (bigint in the schema), as the API shows it. */
  memberId: number;
  roleId: string | null;
  status: MembershipStatus;
  createdAt: Date;
  updatedAt: Date;
}

/** A membership with its role's name, as the admin routes show it. */
export interface MemberRecord {
  membership: Membership;
  role: string | null;
}

/** A user with all their memberships. */
export interface UserRecord {
  user: User;
  memberships: MemberRecord[];
}

export interface CreateClientInput {
  clientId: string;
  clientSecret?: string;
  name: string;
  tenantId: string;
  redirectUrls: string[];
  allowedOrigins?: string[];
  accessTokenExpiration?: number | null;
  refreshTokenExpiration?: number | null;
  authCodeExpiration?: number | null;
  mfaRequired?: boolean;
  public?: boolean;
  allowSignUp?: boolean;
  requireOwnerApproval?: boolean;
  requireEmailVerification?: boolean;
  captchaRequired?: boolean;
  resetPasswordUrl?: string | null;
  signUpUrl?: string | null;
  /** How ID tokens are signed (OpenID Connect `id_token_signed_response_alg`); default RS256. */
  idTokenSignedResponseAlg?: JwtAlgorithm;
}

/** Client fields a PATCH may change; `null` clears an optional setting back to its default. */
export type UpdateClientInput = Partial<Omit<CreateClientInput, 'clientSecret' | 'tenantId'>>;

export interface CreateUserInput {
  email?: string | null;
  username?: string | null;
  password?: string;
  passwordHash?: string;
  tenantId: string;
  role?: string;
  firstName?: string | null;
  lastName?: string | null;
  ssoId?: string | null;
  phone?: string | null;
  status?: MembershipStatus;
  /**
   * Whether the email is proven (API.md section 12). Default: true when an email is given, the
   * operator's default (seeds, the CLI, ADMIN_API_KEY); every other caller says what proved it.
   */
  emailVerified?: boolean;
  profile?: Record<string, unknown>;
}

/**
 * A user PATCH. Identity fields apply to the user; `status` and `role` (a role name, null for none)
 * to one membership: the one of `tenantId`, or the only one the user has.
 */
export interface UpdateUserInput {
  email?: string;
  /** Default: unchanged, except that a changed email starts unproven. */
  emailVerified?: boolean;
  username?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  ssoId?: string | null;
  password?: string;
  tenantId?: string;
  status?: MembershipStatus;
  role?: string | null;
}
