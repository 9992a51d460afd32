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
}
