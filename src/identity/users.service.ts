import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { User } from './entities/user.entity.js';
import { LOCAL_PROVIDER, UserCredential } from './entities/user-credential.entity.js';
import { PasswordHasher } from './credentials/password-hasher.js';

/** Users and their local password credential. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(UserCredential) private readonly credentials: Repository<UserCredential>,
    private readonly hasher: PasswordHasher,
  ) {}

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** By username, else by email; both compared case-insensitively. */
  async findByLogin(login: string): Promise<User | null> {
    const rows = await this.users
      .createQueryBuilder('u')
      .where('lower(u.username) = lower(:login) OR lower(u.email) = lower(:login)', { login })
      .getMany();
    const lower = login.toLowerCase();
    return rows.find((u) => u.username?.toLowerCase() === lower) ?? rows[0] ?? null;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  /**
   * Checks a password for a login. Always does the work of one hash verification, even for an
   * unknown user or one without a password, so timing does not reveal which users exist.
   * Upgrades bcrypt and outdated argon2 hashes to the current argon2id on success.
   */
  async verifyPassword(user: User | null, password: string): Promise<boolean> {
    const credential = user
      ? await this.credentials.findOneBy({ userId: user.id, provider: LOCAL_PROVIDER })
      : null;
    if (!credential?.passwordHash) {
      await this.hasher.verifyDummy(password);
      return false;
    }
    const result = await this.hasher.verify(credential.passwordHash, password);
    if (result.ok && result.needsRehash) {
      const upgraded = await this.hasher.hash(password);
      await this.credentials.update(
        { id: credential.id, passwordHash: credential.passwordHash },
        { passwordHash: upgraded },
      );
    }
    return result.ok;
  }

  async hasPassword(userId: string): Promise<boolean> {
    const c = await this.credentials.findOneBy({ userId, provider: LOCAL_PROVIDER });
    return Boolean(c?.passwordHash);
  }

  /** Stores a new password (already checked against the policy) or an imported hash. */
  async setPasswordHash(userId: string, passwordHash: string, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(UserCredential) : this.credentials;
    await repo.upsert({ userId, provider: LOCAL_PROVIDER, externalId: userId, passwordHash }, [
      'provider',
      'externalId',
    ]);
  }

  async setPassword(userId: string, password: string, manager?: EntityManager): Promise<void> {
    await this.setPasswordHash(userId, await this.hasher.hash(password), manager);
  }

  /** Turns the user's MFA flag on (a confirmed second factor) or off (the last one removed). */
  async setMfaEnabled(userId: string, enabled: boolean, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(User) : this.users;
    await repo.update({ id: userId }, { mfaEnabled: enabled });
  }

  /** The user holding a provider credential (provider, external id), with that credential's id. */
  async findByCredential(
    provider: string,
    externalId: string,
    manager?: EntityManager,
  ): Promise<{ user: User; credentialId: string } | null> {
    const credentials = manager ? manager.getRepository(UserCredential) : this.credentials;
    const credential = await credentials.findOneBy({ provider, externalId });
    if (!credential) return null;
    const users = manager ? manager.getRepository(User) : this.users;
    const user = await users.findOneBy({ id: credential.userId });
    return user && { user, credentialId: credential.id };
  }

  /**
   * Links a provider credential to a user and answers its id (the existing one when it is already
   * theirs). A credential another user holds fails as a unique violation, as a concurrent link does.
   */
  async linkCredential(
    userId: string,
    provider: string,
    externalId: string,
    manager?: EntityManager,
  ): Promise<string> {
    const credentials = manager ? manager.getRepository(UserCredential) : this.credentials;
    const existing = await credentials.findOneBy({ provider, externalId });
    if (existing?.userId === userId) return existing.id;
    const { identifiers } = await credentials.insert({ userId, provider, externalId, passwordHash: null });
    return identifiers[0]!.id as string;
  }

  /**
   * Merges `set` into the user's `profile` and removes the `unset` keys, in one statement (two
   * concurrent PATCHes of different fields both land). The `first_name` / `last_name` columns follow
   * the profile's `firstName` / `lastName`, so /auth/me and the admin routes see the same names.
   */
  async updateProfile(
    userId: string,
    set: Record<string, unknown>,
    unset: string[],
    manager?: EntityManager,
  ): Promise<void> {
    await (manager ?? this.users.manager).query(
      `UPDATE app_user SET
         profile = (coalesce(profile, '{}'::jsonb) || $2::jsonb) - $3::text[],
         first_name = CASE WHEN jsonb_exists($2::jsonb, 'firstName') THEN $2::jsonb->>'firstName'
                           WHEN 'firstName' = ANY($3::text[]) THEN NULL ELSE first_name END,
         last_name = CASE WHEN jsonb_exists($2::jsonb, 'lastName') THEN $2::jsonb->>'lastName'
                          WHEN 'lastName' = ANY($3::text[]) THEN NULL ELSE last_name END,
         updated_at = now()
       WHERE id = $1`,
      [userId, JSON.stringify(set), unset],
    );
  }

  /**
   * Marks the user's email as proven: a mailed code or link sent to `email` was used. Only while
   * that is still the user's address (an email changed since the mail was sent stays unproven).
   * Answers whether the user's email is now proven by this.
   */
  async markEmailVerified(userId: string, email: string, manager?: EntityManager): Promise<boolean> {
    const m = manager ?? this.users.manager;
    const [, affected] = (await m.query(
      `UPDATE app_user SET email_verified = true, updated_at = now()
       WHERE id = $1 AND lower(email) = lower($2)`,
      [userId, email],
    )) as [unknown, number];
    return affected > 0;
  }
}
