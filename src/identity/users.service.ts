import { Injectable } from '@nestjs/common';
import { AppError, Errors } from '../common/errors/app-error.js';
import { Db, Queryable } from '../database/db.js';
import { mapConflict } from './conflicts.js';
import * as credentials from './credentials/credentials.queries.js';
import { PasswordHasher } from './credentials/password-hasher.js';
import { PasswordPolicy } from './credentials/password-policy.js';
import type { CreateUserInput, Membership, UpdateUserInput, User, UserRecord } from './identity.types.js';
import { MembershipsService } from './memberships.service.js';
import { RolesService } from './roles.service.js';
import { TenantsService } from './tenants.service.js';
import * as users from './users.queries.js';

export type UserListFilter = users.UserListQuery;

/**
 * Users and their credentials: lookups, the password check's storage, and their administration
 * (admin routes, the CLI, the sign-up flows). Every write validates what the database cannot
 * (passwords, hashes, role names).
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly db: Db,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly tenants: TenantsService,
    private readonly roles: RolesService,
    private readonly memberships: MembershipsService,
  ) {}

  async findById(id: string): Promise<User | null> {
    return (await users.userById(this.db, id)) ?? null;
  }

  /** By username, else by email; both compared case-insensitively. */
  async findByLogin(login: string): Promise<User | null> {
    return byUsernameFirst(await users.usersByLogin(this.db, login), login, (u) => u) ?? null;
  }

  /**
   * `findByLogin` (`findByEmail` with `byEmail`) for a sign-in: the user with their local
   * credential and whether a code budget is kept for them, in one round trip (CredentialCheck).
   */
  async findForSignIn(login: string, byEmail = false): Promise<users.SignInCandidate | null> {
    const rows = await users.signInCandidates(this.db, login, byEmail);
    return byUsernameFirst(rows, login, (c) => c.user) ?? null;
  }

  async findByEmail(email: string): Promise<User | null> {
    return (await users.userByEmail(this.db, email)) ?? null;
  }

  /**
   * Checks a password for a login. Always does the work of one hash verification, even for an
   * unknown user or one without a password, so timing does not reveal which users exist.
   * Upgrades bcrypt and outdated argon2 hashes to the current argon2id on success.
   */
  async verifyPassword(user: User | null, password: string): Promise<boolean> {
    return this.verifyCredential(
      user ? await credentials.localCredential(this.db, user.id) : undefined,
      password,
    );
  }

  /** `verifyPassword` against a local credential already read (`findForSignIn`); none: a dummy check. */
  async verifyCredential(
    credential: { id: string; passwordHash: string | null } | undefined,
    password: string,
  ): Promise<boolean> {
    if (!credential?.passwordHash) {
      await this.hasher.verifyDummy(password);
      return false;
    }
    const result = await this.hasher.verify(credential.passwordHash, password);
    if (result.ok && result.needsRehash) {
      const upgraded = await this.hasher.hash(password);
      await credentials.replacePasswordHash(this.db, credential.id, credential.passwordHash, upgraded);
    }
    return result.ok;
  }

  async hasPassword(userId: string): Promise<boolean> {
    return Boolean((await credentials.localCredential(this.db, userId))?.passwordHash);
  }

  /** Stores a new password (already checked against the policy) or an imported hash. */
  async setPasswordHash(tx: Queryable, userId: string, passwordHash: string): Promise<void> {
    await credentials.upsertPasswordHash(tx, userId, passwordHash);
  }

  async setPassword(tx: Queryable, userId: string, password: string): Promise<void> {
    await this.setPasswordHash(tx, userId, await this.hasher.hash(password));
  }

  /**
   * Locks the user's row for the rest of the caller's transaction, so that changes to one user's
   * factors (authenticators, passkeys, an admin's reset) happen one at a time; answers their
   * current email, where the notice of the change goes. Undefined when the user no longer exists.
   */
  lockIn(tx: Queryable, userId: string): Promise<{ email: string | null } | undefined> {
    return users.lockUser(tx, userId);
  }

  /**
   * Locks the user's row while `email` is still their address and still proven (an admin may
   * have changed it meanwhile), in the caller's transaction; false when it no longer is.
   */
  lockProvenEmailIn(tx: Queryable, userId: string, email: string): Promise<boolean> {
    return users.lockProvenEmail(tx, userId, email);
  }

  /** Turns the user's MFA flag on (a confirmed second factor) or off (the last one removed). */
  setMfaEnabled(userId: string, enabled: boolean): Promise<void> {
    return this.setMfaEnabledIn(this.db, userId, enabled);
  }

  /** `setMfaEnabled` in the caller's transaction. */
  async setMfaEnabledIn(tx: Queryable, userId: string, enabled: boolean): Promise<void> {
    await users.setMfaEnabled(tx, userId, enabled);
  }

  /** The user holding a provider credential (provider, external id), with that credential's id. */
  async findByCredential(
    provider: string,
    externalId: string,
  ): Promise<{ user: User; credentialId: string } | null> {
    const credential = await credentials.credentialOf(this.db, provider, externalId);
    if (!credential) return null;
    const user = await users.userById(this.db, credential.userId);
    return user ? { user, credentialId: credential.id } : null;
  }

  /**
   * Links a provider credential to a user and answers its id (the existing one when it is already
   * theirs). A credential another user holds fails as a unique violation, as a concurrent link does.
   */
  async linkCredential(tx: Queryable, userId: string, provider: string, externalId: string): Promise<string> {
    const existing = await credentials.credentialOf(tx, provider, externalId);
    if (existing?.userId === userId) return existing.id;
    return credentials.insertCredential(tx, userId, provider, externalId);
  }

  /**
   * Merges `set` into the user's `profile` and removes the `unset` keys, in one statement (two
   * concurrent PATCHes of different fields both land). The `first_name` / `last_name` columns follow
   * the profile's `firstName` / `lastName`, so /auth/me and the admin routes see the same names.
   */
  updateProfile(userId: string, set: Record<string, unknown>, unset: string[]): Promise<void> {
    return this.updateProfileIn(this.db, userId, set, unset);
  }

  /** `updateProfile` in the caller's transaction. */
  async updateProfileIn(
    tx: Queryable,
    userId: string,
    set: Record<string, unknown>,
    unset: string[],
  ): Promise<void> {
    await users.updateProfile(tx, userId, set, unset);
  }

  /**
   * Marks the user's email as proven: a mailed code or link sent to `email` was used. Only while
   * that is still the user's address (an email changed since the mail was sent stays unproven).
   * Answers whether the user's email is now proven by this.
   */
  markEmailVerified(tx: Queryable, userId: string, email: string): Promise<boolean> {
    return users.markEmailVerified(tx, userId, email);
  }

  // ---- administration -------------------------------------------------------------------------

  /**
   * Creates a user and their membership of `tenantId` in one transaction. `password` must pass the
   * policy; `passwordHash` imports a bcrypt or argon2 hash from another system.
   */
  async createUser(input: CreateUserInput): Promise<{ user: User; membership: Membership }> {
    await this.assertCreatable(input);
    try {
      return await this.db.transaction((tx) => this.insertUser(tx, input));
    } catch (err) {
      mapConflict(err);
    }
  }

  /** `createUser` in the caller's transaction. */
  async createUserIn(tx: Queryable, input: CreateUserInput): Promise<{ user: User; membership: Membership }> {
    await this.assertCreatable(input);
    try {
      return await this.insertUser(tx, input);
    } catch (err) {
      mapConflict(err);
    }
  }

  private async assertCreatable(input: CreateUserInput): Promise<void> {
    if (input.password !== undefined && input.passwordHash !== undefined) {
      throw Errors.validation([
        { field: 'passwordHash', message: 'give either password or passwordHash, not both' },
      ]);
    }
    if (input.password !== undefined) {
      await this.policy.assertAcceptable(input.password, { username: input.username, email: input.email });
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
  }

  private async insertUser(
    tx: Queryable,
    input: CreateUserInput,
  ): Promise<{ user: User; membership: Membership }> {
    await this.tenants.requireTenantIn(tx, input.tenantId);
    const role = input.role ? await this.roles.findRole(tx, input.tenantId, input.role) : null;
    const user = await users.insertUser(tx, {
      email: input.email ?? null,
      emailVerified: input.emailVerified ?? Boolean(input.email),
      username: input.username ?? null,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      phone: input.phone ?? null,
      ssoId: input.ssoId ?? null,
      profile: input.profile ?? {},
    });
    if (input.password !== undefined) await this.setPassword(tx, user.id, input.password);
    if (input.passwordHash !== undefined) await this.setPasswordHash(tx, user.id, input.passwordHash);
    const membership = await this.memberships.addMembershipIn(
      tx,
      user.id,
      input.tenantId,
      role?.id ?? null,
      input.status ?? 'ACTIVE',
    );
    return { user, membership };
  }

  /** The user with their memberships (404 when there is none). */
  async getUser(id: string): Promise<UserRecord> {
    const user = await users.userById(this.db, id);
    if (!user) throw Errors.notFound('User not found');
    return { user, memberships: (await this.memberships.memberRecords(this.db, [id])).get(id) ?? [] };
  }

  /** Users, oldest first, optionally only the members of a tenant or the owner of an email. */
  async listUsers(filter: UserListFilter): Promise<UserRecord[]> {
    const found = await users.listUsers(this.db, filter);
    const memberships = await this.memberships.memberRecords(
      this.db,
      found.map((u) => u.id),
    );
    return found.map((user) => ({ user, memberships: memberships.get(user.id) ?? [] }));
  }

  /** Applies a user PATCH in one transaction. */
  async updateUser(
    id: string,
    input: UpdateUserInput,
  ): Promise<{ user: User; membership: Membership | null; passwordChanged: boolean }> {
    try {
      return await this.db.transaction((tx) => this.updateUserIn(tx, id, input));
    } catch (err) {
      mapConflict(err);
    }
  }

  /**
   * Applies a user PATCH in the caller's transaction. A new password goes through the policy,
   * checked against the user's (possibly new) username and email.
   */
  async updateUserIn(
    tx: Queryable,
    id: string,
    input: UpdateUserInput,
  ): Promise<{ user: User; membership: Membership | null; passwordChanged: boolean }> {
    try {
      const user = await users.userById(tx, id);
      if (!user) throw Errors.notFound('User not found');
      const { password, tenantId, status, role, ...fields } = input;
      const patch: Partial<users.UserFields> = { ...fields };
      if (fields.emailVerified === undefined) delete patch.emailVerified;
      // A new address is unproven until something proves it (API.md section 12); the same address
      // in another letter case keeps its state.
      const changed = fields.email !== undefined && fields.email.toLowerCase() !== user.email?.toLowerCase();
      if (changed && fields.emailVerified === undefined) patch.emailVerified = false;
      if (password !== undefined) {
        const next = { ...user, ...patch };
        await this.policy.assertAcceptable(password, { username: next.username, email: next.email });
      }
      let membership: Membership | null = null;
      if (status !== undefined || role !== undefined) {
        membership = await this.memberships.changeMembership(tx, id, { tenantId, status, role });
      }
      const updated = Object.values(patch).some((v) => v !== undefined)
        ? await users.updateUser(tx, id, patch)
        : user;
      if (password !== undefined) await this.setPassword(tx, id, password);
      return { user: updated!, membership, passwordChanged: password !== undefined };
    } catch (err) {
      mapConflict(err);
    }
  }

  /** Deletes a user with their credentials, memberships and sessions (the schema cascades). */
  async deleteUser(tx: Queryable, id: string): Promise<void> {
    if (!(await users.deleteUser(tx, id))) throw Errors.notFound('User not found');
  }
}

/** Of the (at most two) rows a login matches, the one whose username it is, else the first. */
function byUsernameFirst<T>(rows: T[], login: string, userOf: (row: T) => User): T | undefined {
  const lower = login.toLowerCase();
  return rows.find((row) => userOf(row).username?.toLowerCase() === lower) ?? rows[0];
}
