import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { randomToken, sha256Hex } from '../common/crypto/tokens.js';
import { AppError, Errors } from '../common/errors/app-error.js';
import { AuthClient } from './entities/auth-client.entity.js';
import { Membership, MembershipStatus } from './entities/membership.entity.js';
import { Role } from './entities/role.entity.js';
import { Tenant } from './entities/tenant.entity.js';
import { User } from './entities/user.entity.js';
import { PasswordHasher } from './credentials/password-hasher.js';
import { PasswordPolicy } from './credentials/password-policy.js';
import { UsersService } from './users.service.js';
import { ClientsService } from './clients.service.js';

export const CLIENT_SECRET_MIN_LENGTH = 32;

/** Maps unique violations to the 409s a caller can act on. */
const UNIQUE_CONFLICTS: Record<string, [string, string]> = {
  tenant_key_uq: ['TENANT_KEY_EXISTS', 'A tenant with that key already exists'],
  role_tenant_name_uq: ['ROLE_EXISTS', 'A role with that name already exists in the tenant'],
  auth_client_client_id_key: ['CLIENT_ID_EXISTS', 'A client with that clientId already exists'],
  app_user_email_uq: ['EMAIL_ALREADY_EXISTS', 'A user with that email already exists'],
  app_user_username_uq: ['USERNAME_ALREADY_EXISTS', 'A user with that username already exists'],
  app_user_sso_id_uq: ['SSO_ID_ALREADY_EXISTS', 'A user with that ssoId already exists'],
  membership_user_tenant_uq: ['ALREADY_A_MEMBER', 'The user is already a member of that tenant'],
};

export function mapUniqueViolation(err: unknown): never {
  const driver = (err as QueryFailedError & { driverError?: { code?: string; constraint?: string } }).driverError;
  if (err instanceof QueryFailedError && driver?.code === '23505') {
    const conflict = UNIQUE_CONFLICTS[driver.constraint ?? ''];
    throw Errors.conflict(conflict?.[0] ?? 'CONFLICT', conflict?.[1] ?? 'The resource already exists');
  }
  throw err;
}

export interface CreateClientInput {
  clientId: string;
  clientSecret?: string;
  name: string;
  tenantId: string;
  redirectUrls: string[];
  allowedOrigins?: string[];
  accessTokenExpiration?: number;
  refreshTokenExpiration?: number;
  authCodeExpiration?: number;
  mfaRequired?: boolean;
  public?: boolean;
  allowSignUp?: boolean;
  requireOwnerApproval?: boolean;
  requireEmailVerification?: boolean;
  captchaRequired?: boolean;
  resetPasswordUrl?: string;
  signUpUrl?: string;
}

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
  emailVerified?: boolean;
  profile?: Record<string, unknown>;
}

/**
 * Creation and administration of the identity store: used by the admin routes, the CLI and the
 * sign-up flows. Every write validates what the database cannot (passwords, hashes, role names).
 */
@Injectable()
export class ProvisioningService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly policy: PasswordPolicy,
    private readonly users: UsersService,
    private readonly clients: ClientsService,
  ) {}

  async requireTenant(tenantId: string, m: EntityManager = this.dataSource.manager): Promise<Tenant> {
    const tenant = await m.getRepository(Tenant).findOneBy({ id: tenantId });
    if (!tenant) throw Errors.notFound('Tenant not found');
    return tenant;
  }

  async createTenant(input: { key: string; name: string }): Promise<Tenant> {
    try {
      const repo = this.dataSource.getRepository(Tenant);
      const { identifiers } = await repo.insert({ key: input.key, name: input.name });
      return (await repo.findOneBy({ id: identifiers[0]!.id as string }))!;
    } catch (err) {
      mapUniqueViolation(err);
    }
  }

  async createRole(input: { tenantId: string; name: string; permissions: string[] }): Promise<Role> {
    await this.requireTenant(input.tenantId);
    try {
      const repo = this.dataSource.getRepository(Role);
      const { identifiers } = await repo.insert({
        tenantId: input.tenantId,
        name: input.name,
        permissions: [...new Set(input.permissions)],
      });
      return (await repo.findOneBy({ id: identifiers[0]!.id as string }))!;
    } catch (err) {
      mapUniqueViolation(err);
    }
  }

  async findRole(tenantId: string, name: string, m: EntityManager = this.dataSource.manager): Promise<Role> {
    const role = await m
      .getRepository(Role)
      .createQueryBuilder('r')
      .where('r.tenant_id = :tenantId AND lower(r.name) = lower(:name)', { tenantId, name })
      .getOne();
    if (!role) throw new AppError(400, 'UNKNOWN_ROLE', `No role named "${name}" in that tenant`);
    return role;
  }

  /** Creates a client; answers it with the clear secret, which is never available again. */
  async createClient(input: CreateClientInput): Promise<{ client: AuthClient; clientSecret: string | null }> {
    await this.requireTenant(input.tenantId);
    const isPublic = input.public ?? false;
    if (input.clientSecret !== undefined && input.clientSecret.length < CLIENT_SECRET_MIN_LENGTH) {
      throw Errors.validation([
        { field: 'clientSecret', message: `clientSecret must be at least ${CLIENT_SECRET_MIN_LENGTH} characters` },
      ]);
    }
    const clientSecret = isPublic ? null : (input.clientSecret ?? randomToken(32));
    try {
      const repo = this.dataSource.getRepository(AuthClient);
      const { identifiers } = await repo.insert({
        clientId: input.clientId,
        name: input.name,
        tenantId: input.tenantId,
        secretHash: clientSecret ? sha256Hex(clientSecret) : null,
        isPublic,
        redirectUrls: input.redirectUrls,
        allowedOrigins: (input.allowedOrigins ?? []).map((o) => o.replace(/\/+$/, '')),
        accessTokenExpiration: input.accessTokenExpiration ?? null,
        refreshTokenExpiration: input.refreshTokenExpiration ?? null,
        authCodeExpiration: input.authCodeExpiration ?? null,
        mfaRequired: input.mfaRequired ?? false,
        allowSignUp: input.allowSignUp ?? true,
        requireOwnerApproval: input.requireOwnerApproval ?? false,
        requireEmailVerification: input.requireEmailVerification ?? true,
        captchaRequired: input.captchaRequired ?? false,
        resetPasswordUrl: input.resetPasswordUrl ?? null,
        signUpUrl: input.signUpUrl ?? null,
      });
      this.clients.invalidateOrigins();
      const client = (await repo.findOneBy({ id: identifiers[0]!.id as string }))!;
      return { client, clientSecret };
    } catch (err) {
      mapUniqueViolation(err);
    }
  }

  /**
   * Creates a user and their membership of `tenantId` in one transaction. `password` must pass the
   * policy; `passwordHash` imports a bcrypt or argon2 hash from another system.
   */
  async createUser(input: CreateUserInput, manager?: EntityManager): Promise<{ user: User; membership: Membership }> {
    if (input.password !== undefined && input.passwordHash !== undefined) {
      throw Errors.validation([{ field: 'passwordHash', message: 'give either password or passwordHash, not both' }]);
    }
    if (input.password !== undefined) {
      this.policy.assertAcceptable(input.password, { username: input.username, email: input.email });
    }
    if (input.passwordHash !== undefined && !PasswordHasher.isSupportedHash(input.passwordHash)) {
      throw Errors.validation([
        { field: 'passwordHash', message: 'passwordHash must be a bcrypt ($2a$, $2b$, $2y$) or argon2 PHC string' },
      ]);
    }
    const work = async (m: EntityManager) => {
      await this.requireTenant(input.tenantId, m);
      const role = input.role ? await this.findRole(input.tenantId, input.role, m) : null;
      const userRepo = m.getRepository(User);
      const { identifiers } = await userRepo.insert({
        email: input.email ?? null,
        emailVerified: input.emailVerified ?? Boolean(input.email),
        username: input.username ?? null,
        firstName: input.firstName ?? null,
        lastName: input.lastName ?? null,
        phone: input.phone ?? null,
        ssoId: input.ssoId ?? null,
        profile: (input.profile ?? {}) as never,
      });
      const userId = identifiers[0]!.id as string;
      if (input.password !== undefined) await this.users.setPassword(userId, input.password, m);
      if (input.passwordHash !== undefined) await this.users.setPasswordHash(userId, input.passwordHash, m);
      const membership = await this.addMembership(userId, input.tenantId, role?.id ?? null, input.status ?? 'ACTIVE', m);
      return { user: (await userRepo.findOneBy({ id: userId }))!, membership };
    };
    try {
      return manager ? await work(manager) : await this.dataSource.transaction(work);
    } catch (err) {
      mapUniqueViolation(err);
    }
  }

  async addMembership(
    userId: string,
    tenantId: string,
    roleId: string | null,
    status: MembershipStatus,
    m: EntityManager = this.dataSource.manager,
  ): Promise<Membership> {
    try {
      const repo = m.getRepository(Membership);
      const { identifiers } = await repo.insert({ userId, tenantId, roleId, status });
      return (await repo.findOneBy({ id: identifiers[0]!.id as string }))!;
    } catch (err) {
      mapUniqueViolation(err);
    }
  }
}
