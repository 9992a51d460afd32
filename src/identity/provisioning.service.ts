import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Like, Not, QueryFailedError } from 'typeorm';
import { randomToken, sha256Hex } from '../common/crypto/tokens.js';
import { AppError, Errors } from '../common/errors/app-error.js';
import type { JwtAlgorithm } from '../config/config.js';
import { AuthClient } from './entities/auth-client.entity.js';
import { Membership, MembershipStatus } from './entities/membership.entity.js';
import { Role } from './entities/role.entity.js';
import { Tenant } from './entities/tenant.entity.js';
import { User } from './entities/user.entity.js';
import { PasswordHasher } from './credentials/password-hasher.js';
import { PasswordPolicy } from './credentials/password-policy.js';
import { UsersService } from './users.service.js';
import { ClientsService } from './clients.service.js';
import {
  assertNotReserved,
  CONSOLE_CLIENT_PREFIX,
  isReservedClientId,
  RESERVED_CLIENT_ID_PREFIXES,
} from './reserved-client-ids.js';

export const CLIENT_SECRET_MIN_LENGTH = 32;

/** Chosen client secrets must be as strong as generated ones (API.md section 0: at least 32 characters). */
function assertClientSecretLength(secret: string | undefined): void {
  if (secret !== undefined && secret.length < CLIENT_SECRET_MIN_LENGTH) {
    throw Errors.validation([
      {
        field: 'clientSecret',
        message: `clientSecret must be at least ${CLIENT_SECRET_MIN_LENGTH} characters`,
      },
    ]);
  }
}

/** A UUID in its canonical text form: anything else cannot be a row id (and would make Postgres fail). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * An allowed origin as browsers send it in `Origin`: lower-case scheme and host, no default port,
 * no trailing slash. Custom app schemes (capacitor://localhost) keep `scheme://host[:port]`.
 */
export function normalizeOrigin(origin: string): string {
  try {
    const url = new URL(origin);
    return url.origin !== 'null' ? url.origin : `${url.protocol}//${url.host}`.toLowerCase();
  } catch {
    return origin.replace(/\/+$/, '');
  }
}

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
  const driver = (err as QueryFailedError & { driverError?: { code?: string; constraint?: string } })
    .driverError;
  if (err instanceof QueryFailedError && driver?.code === '23505') {
    const conflict = UNIQUE_CONFLICTS[driver.constraint ?? ''];
    throw Errors.conflict(conflict?.[0] ?? 'CONFLICT', conflict?.[1] ?? 'The resource already exists');
  }
  // A foreign key that vanished between our existence check and the write (a concurrent delete).
  if (err instanceof QueryFailedError && driver?.code === '23503') {
    throw Errors.notFound('A referenced resource no longer exists');
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

/** Client fields a PATCH may change; `null` clears an optional setting back to its default. */
export type UpdateClientInput = Partial<Omit<CreateClientInput, 'clientSecret' | 'tenantId'>>;

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

/** A membership with its role's name, as the admin routes show it. */
export interface MemberRecord {
  membership: Membership;
  role: string | null;
}

export interface UserRecord {
  user: User;
  memberships: MemberRecord[];
}

export interface UserListFilter {
  tenantId?: string;
  email?: string;
  /** Text contained in the email, username, first or last name (case-insensitive). */
  search?: string;
  limit: number;
  offset: number;
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

  /**
   * Creates a client; answers it with the clear secret, which is never available again. A reserved
   * client id (`headless:`, `console:`) is 400 VALIDATION_FAILED: those are made by
   * `createInternalClient` only.
   */
  createClient(input: CreateClientInput): Promise<{ client: AuthClient; clientSecret: string | null }> {
    assertNotReserved(input.clientId);
    return this.insertClient(input);
  }

  /** Creates one of the service's own clients, whose id must carry a reserved prefix. */
  createInternalClient(
    input: CreateClientInput,
  ): Promise<{ client: AuthClient; clientSecret: string | null }> {
    if (!isReservedClientId(input.clientId)) {
      throw new Error(`An internal client id must start with ${RESERVED_CLIENT_ID_PREFIXES.join(' or ')}`);
    }
    return this.insertClient(input);
  }

  private async insertClient(
    input: CreateClientInput,
  ): Promise<{ client: AuthClient; clientSecret: string | null }> {
    await this.requireTenant(input.tenantId);
    const isPublic = input.public ?? false;
    if (isPublic && input.clientSecret !== undefined) {
      throw Errors.validation([{ field: 'clientSecret', message: 'a public client has no secret' }]);
    }
    assertClientSecretLength(input.clientSecret);
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
        allowedOrigins: (input.allowedOrigins ?? []).map(normalizeOrigin),
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
        idTokenSignedResponseAlg: input.idTokenSignedResponseAlg ?? 'RS256',
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
  async createUser(
    input: CreateUserInput,
    manager?: EntityManager,
  ): Promise<{ user: User; membership: Membership }> {
    if (input.password !== undefined && input.passwordHash !== undefined) {
      throw Errors.validation([
        { field: 'passwordHash', message: 'give either password or passwordHash, not both' },
      ]);
    }
    if (input.password !== undefined) {
      this.policy.assertAcceptable(input.password, { username: input.username, email: input.email });
    }
    const hashProblem =
      input.passwordHash !== undefined ? PasswordHasher.importProblem(input.passwordHash) : null;
    if (hashProblem?.kind === 'format') {
      throw Errors.validation([{ field: 'passwordHash', message: hashProblem.message }]);
    }
    if (hashProblem?.kind === 'cost') {
      // API.md section 12: a hash too costly to verify is 400 VALIDATION_FAILED (not 422).
      throw new AppError(400, 'VALIDATION_FAILED', 'Validation failed', {
        details: [{ field: 'passwordHash', message: hashProblem.message }],
      });
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
      const membership = await this.addMembership(
        userId,
        input.tenantId,
        role?.id ?? null,
        input.status ?? 'ACTIVE',
        m,
      );
      return { user: (await userRepo.findOneBy({ id: userId }))!, membership };
    };
    return this.run(manager, work);
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

  /** Runs `work` in one transaction, so a caller can add its own writes (e.g. ending sessions) to ours. */
  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Runs `work` in the caller's transaction, else in a new one; unique violations become 409s. */
  private async run<T>(
    manager: EntityManager | undefined,
    work: (m: EntityManager) => Promise<T>,
  ): Promise<T> {
    try {
      return manager ? await work(manager) : await this.dataSource.transaction(work);
    } catch (err) {
      mapUniqueViolation(err);
    }
  }

  // ---- tenants --------------------------------------------------------------------------------

  listTenants(): Promise<Tenant[]> {
    return this.dataSource.getRepository(Tenant).find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async updateTenant(id: string, input: { key?: string; name?: string }): Promise<Tenant> {
    return this.run(undefined, async (m) => {
      const tenant = await this.requireTenant(id, m);
      await m
        .getRepository(Tenant)
        .update({ id }, { key: input.key ?? tenant.key, name: input.name ?? tenant.name });
      return this.requireTenant(id, m);
    });
  }

  /** Deletes a tenant with its roles, clients and memberships (the schema cascades). */
  async deleteTenant(id: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    const { affected } = await m.getRepository(Tenant).delete({ id });
    if (!affected) throw Errors.notFound('Tenant not found');
  }

  // ---- roles ----------------------------------------------------------------------------------

  listRoles(tenantId?: string): Promise<Role[]> {
    return this.dataSource
      .getRepository(Role)
      .find({ where: tenantId ? { tenantId } : {}, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async requireRole(id: string, m: EntityManager = this.dataSource.manager): Promise<Role> {
    const role = await m.getRepository(Role).findOneBy({ id });
    if (!role) throw Errors.notFound('Role not found');
    return role;
  }

  async updateRole(id: string, input: { name?: string; permissions?: string[] }): Promise<Role> {
    return this.run(undefined, async (m) => {
      const role = await this.requireRole(id, m);
      await m.getRepository(Role).update(
        { id },
        {
          name: input.name ?? role.name,
          permissions: input.permissions ? [...new Set(input.permissions)] : role.permissions,
        },
      );
      return this.requireRole(id, m);
    });
  }

  /** Deletes a role; its members keep their membership without a role (ON DELETE SET NULL). */
  async deleteRole(id: string): Promise<void> {
    const { affected } = await this.dataSource.getRepository(Role).delete({ id });
    if (!affected) throw Errors.notFound('Role not found');
  }

  // ---- clients --------------------------------------------------------------------------------

  /** The clients of a tenant (or all), oldest first; the service's own console clients are left out. */
  listClients(tenantId?: string): Promise<AuthClient[]> {
    const notConsole = Not(Like(`${CONSOLE_CLIENT_PREFIX}%`));
    return this.dataSource.getRepository(AuthClient).find({
      where: tenantId ? { tenantId, clientId: notConsole } : { clientId: notConsole },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** A client by its uuid, else by its caller-chosen clientId (which may look like a uuid too). */
  async requireClient(idOrClientId: string, m: EntityManager = this.dataSource.manager): Promise<AuthClient> {
    const repo = m.getRepository(AuthClient);
    const client =
      (isUuid(idOrClientId) ? await repo.findOneBy({ id: idOrClientId }) : null) ??
      (await repo.findOneBy({ clientId: idOrClientId }));
    if (!client) throw Errors.notFound('Client not found');
    return client;
  }

  /**
   * Changes a client's settings. Making a client public drops its secret; making it confidential
   * leaves it without one, so it cannot authenticate until its secret is rotated. A reserved client
   * id cannot be taken by a rename (400 VALIDATION_FAILED).
   */
  async updateClient(idOrClientId: string, input: UpdateClientInput): Promise<AuthClient> {
    const updated = await this.run(undefined, async (m) => {
      const client = await this.requireClient(idOrClientId, m);
      if (input.clientId !== client.clientId) assertNotReserved(input.clientId);
      const { public: isPublic, allowedOrigins, ...rest } = input;
      const patch: Partial<AuthClient> = { ...rest };
      if (allowedOrigins !== undefined) patch.allowedOrigins = allowedOrigins.map(normalizeOrigin);
      if (isPublic !== undefined) {
        patch.isPublic = isPublic;
        if (isPublic) patch.secretHash = null;
      }
      if (Object.keys(patch).length) await m.getRepository(AuthClient).update({ id: client.id }, patch);
      return this.requireClient(client.id, m);
    });
    this.clients.invalidateOrigins();
    return updated;
  }

  /** Replaces a confidential client's secret (generated unless given); answers it in clear once. */
  async rotateClientSecret(
    idOrClientId: string,
    secret?: string,
  ): Promise<{ client: AuthClient; clientSecret: string }> {
    assertClientSecretLength(secret);
    const client = await this.requireClient(idOrClientId);
    if (client.isPublic) throw Errors.conflict('CLIENT_IS_PUBLIC', 'A public client has no secret');
    const clientSecret = secret ?? randomToken(32);
    await this.dataSource
      .getRepository(AuthClient)
      .update({ id: client.id }, { secretHash: sha256Hex(clientSecret) });
    return { client: await this.requireClient(client.id), clientSecret };
  }

  /** Deletes a client (by uuid) with its sessions and codes (the schema cascades). */
  async deleteClient(id: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    const { affected } = await m.getRepository(AuthClient).delete({ id });
    if (!affected) throw Errors.notFound('Client not found');
    this.clients.invalidateOrigins();
  }

  // ---- users and memberships ------------------------------------------------------------------

  /** Memberships of these users with their role names, oldest first. */
  private async memberRecords(userIds: string[], m: EntityManager): Promise<Map<string, MemberRecord[]>> {
    const byUser = new Map<string, MemberRecord[]>(userIds.map((id) => [id, []]));
    if (!userIds.length) return byUser;
    const memberships = await m
      .getRepository(Membership)
      .find({ where: { userId: In(userIds) }, order: { createdAt: 'ASC', id: 'ASC' } });
    const roleIds = [
      ...new Set(memberships.map((ms) => ms.roleId).filter((id): id is string => id !== null)),
    ];
    const roles = roleIds.length ? await m.getRepository(Role).findBy({ id: In(roleIds) }) : [];
    const roleNames = new Map(roles.map((r) => [r.id, r.name]));
    for (const membership of memberships) {
      const role = membership.roleId ? (roleNames.get(membership.roleId) ?? null) : null;
      byUser.get(membership.userId)?.push({ membership, role });
    }
    return byUser;
  }

  async getUser(id: string, m: EntityManager = this.dataSource.manager): Promise<UserRecord> {
    const user = await m.getRepository(User).findOneBy({ id });
    if (!user) throw Errors.notFound('User not found');
    return { user, memberships: (await this.memberRecords([id], m)).get(id) ?? [] };
  }

  /** Users, oldest first, optionally only the members of a tenant or the owner of an email. */
  async listUsers(filter: UserListFilter): Promise<UserRecord[]> {
    const m = this.dataSource.manager;
    const qb = m.getRepository(User).createQueryBuilder('u');
    if (filter.tenantId) {
      const inTenant =
        'EXISTS (SELECT 1 FROM membership ms WHERE ms.user_id = u.id AND ms.tenant_id = :tenantId)';
      qb.andWhere(inTenant, { tenantId: filter.tenantId });
    }
    if (filter.email) qb.andWhere('lower(u.email) = lower(:email)', { email: filter.email });
    if (filter.search) {
      const fields = ['u.email', 'u.username', 'u.first_name', 'u.last_name'];
      const like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(`(${fields.map((f) => `${f} ILIKE :like`).join(' OR ')})`, { like });
    }
    const users = await qb
      .orderBy('u.createdAt', 'ASC')
      .addOrderBy('u.id', 'ASC')
      .offset(filter.offset)
      .limit(filter.limit)
      .getMany();
    const memberships = await this.memberRecords(
      users.map((u) => u.id),
      m,
    );
    return users.map((user) => ({ user, memberships: memberships.get(user.id) ?? [] }));
  }

  /**
   * The membership a status or role change applies to: the one of `tenantId`, else the user's only
   * one. 422 when the user has several and no tenantId says which; 404 when there is none.
   */
  async resolveMembership(
    userId: string,
    tenantId: string | undefined,
    m: EntityManager,
  ): Promise<Membership> {
    const repo = m.getRepository(Membership);
    if (tenantId) {
      const membership = await repo.findOneBy({ userId, tenantId });
      if (!membership) throw Errors.notFound('The user is not a member of that tenant');
      return membership;
    }
    const all = await repo.find({ where: { userId }, take: 2 });
    if (all.length === 1) return all[0]!;
    if (!all.length) throw Errors.notFound('The user is not a member of any tenant');
    throw Errors.validation([
      { field: 'tenantId', message: 'tenantId is required when the user belongs to several tenants' },
    ]);
  }

  /**
   * Applies a user PATCH in one transaction (the caller's when `manager` is given). A new password
   * goes through the policy, checked against the user's (possibly new) username and email.
   */
  async updateUser(
    id: string,
    input: UpdateUserInput,
    manager?: EntityManager,
  ): Promise<{ user: User; membership: Membership | null; passwordChanged: boolean }> {
    return this.run(manager, async (m) => {
      const repo = m.getRepository(User);
      const user = await repo.findOneBy({ id });
      if (!user) throw Errors.notFound('User not found');
      const { password, tenantId, status, role, ...fields } = input;
      const patch: Partial<Pick<User, keyof typeof fields>> = { ...fields };
      if (fields.emailVerified === undefined) delete patch.emailVerified;
      // A new address is unproven until something proves it (API.md section 12); the same address
      // in another letter case keeps its state.
      const changed = fields.email !== undefined && fields.email.toLowerCase() !== user.email?.toLowerCase();
      if (changed && fields.emailVerified === undefined) patch.emailVerified = false;
      if (password !== undefined) {
        const next = { ...user, ...patch };
        this.policy.assertAcceptable(password, { username: next.username, email: next.email });
      }
      let membership: Membership | null = null;
      if (status !== undefined || role !== undefined) {
        membership = await this.resolveMembership(id, tenantId, m);
        let roleId = membership.roleId;
        if (role !== undefined) {
          roleId = role === null ? null : (await this.findRole(membership.tenantId, role, m)).id;
        }
        await m
          .getRepository(Membership)
          .update({ id: membership.id }, { status: status ?? membership.status, roleId });
        membership = await m.getRepository(Membership).findOneByOrFail({ id: membership.id });
      }
      if (Object.keys(patch).length) await repo.update({ id }, patch);
      if (password !== undefined) await this.users.setPassword(id, password, m);
      return {
        user: await repo.findOneByOrFail({ id }),
        membership,
        passwordChanged: password !== undefined,
      };
    });
  }

  /** Deletes a user with their credentials, memberships and sessions (the schema cascades). */
  async deleteUser(id: string, manager?: EntityManager): Promise<void> {
    const { affected } = await (manager ?? this.dataSource.manager).getRepository(User).delete({ id });
    if (!affected) throw Errors.notFound('User not found');
  }

  async removeMembership(userId: string, tenantId: string, manager?: EntityManager): Promise<void> {
    const { affected } = await (manager ?? this.dataSource.manager)
      .getRepository(Membership)
      .delete({ userId, tenantId });
    if (!affected) throw Errors.notFound('The user is not a member of that tenant');
  }

  /** Adds an existing user to a tenant as an ACTIVE member (409 ALREADY_A_MEMBER when they are one). */
  async addUserToTenant(userId: string, input: { tenantId: string; role?: string }): Promise<MemberRecord> {
    return this.run(undefined, async (m) => {
      if (!(await m.getRepository(User).existsBy({ id: userId }))) throw Errors.notFound('User not found');
      await this.requireTenant(input.tenantId, m);
      const role = input.role ? await this.findRole(input.tenantId, input.role, m) : null;
      const membership = await this.addMembership(userId, input.tenantId, role?.id ?? null, 'ACTIVE', m);
      return { membership, role: role?.name ?? null };
    });
  }

  /** PENDING_APPROVAL -> ACTIVE; any other status answers 409 NOT_PENDING_APPROVAL. */
  async approveMember(userId: string, tenantId: string | undefined): Promise<Membership> {
    return this.run(undefined, async (m) => {
      if (!(await m.getRepository(User).existsBy({ id: userId }))) throw Errors.notFound('User not found');
      const membership = await this.resolveMembership(userId, tenantId, m);
      // Conditional on the status, so two concurrent approvals cannot both succeed.
      const { affected } = await m
        .getRepository(Membership)
        .update({ id: membership.id, status: 'PENDING_APPROVAL' }, { status: 'ACTIVE' });
      if (!affected) {
        throw Errors.conflict(
          'NOT_PENDING_APPROVAL',
          `The membership is ${membership.status}, not pending approval`,
        );
      }
      return m.getRepository(Membership).findOneByOrFail({ id: membership.id });
    });
  }
}
