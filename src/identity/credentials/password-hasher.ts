import { Injectable } from '@nestjs/common';
import { hash as argon2Hash, parseOptions, verify as argon2Verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

/** argon2id parameters of API.md section 0 (OWASP's minimum for argon2id). */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
/** Algorithm.Argon2id of @node-rs/argon2 (a const enum, which isolated-module builds cannot inline). */
const ARGON2ID = 2;

export interface VerifyResult {
  ok: boolean;
  /** The stored hash is bcrypt or argon2 with other parameters: store `hash(password)` now. */
  needsRehash: boolean;
}

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const ARGON2 = /^\$argon2(id|i|d)\$/;

/** Hashes passwords with argon2id and verifies argon2 and imported bcrypt hashes. */
@Injectable()
export class PasswordHasher {
  /** A real hash of a random string: verifying against it costs what a real check costs. */
  private dummy: Promise<string> | undefined;

  hash(password: string): Promise<string> {
    return argon2Hash(password, { ...ARGON2_PARAMS, algorithm: ARGON2ID });
  }

  /** Whether `value` is a hash this service can import (`passwordHash` of POST /admin/users). */
  static isSupportedHash(value: string): boolean {
    if (BCRYPT.test(value)) return true;
    if (!ARGON2.test(value)) return false;
    try {
      parseOptions(value);
      return true;
    } catch {
      return false;
    }
  }

  async verify(storedHash: string, password: string): Promise<VerifyResult> {
    if (BCRYPT.test(storedHash)) {
      const ok = await bcrypt.compare(password, storedHash);
      return { ok, needsRehash: ok };
    }
    if (!ARGON2.test(storedHash)) return { ok: false, needsRehash: false };
    let ok: boolean;
    try {
      ok = await argon2Verify(storedHash, password);
    } catch {
      return { ok: false, needsRehash: false };
    }
    if (!ok) return { ok, needsRehash: false };
    const o = parseOptions(storedHash);
    const current =
      storedHash.startsWith('$argon2id$') &&
      o.memoryCost === ARGON2_PARAMS.memoryCost &&
      o.timeCost === ARGON2_PARAMS.timeCost &&
      o.parallelism === ARGON2_PARAMS.parallelism;
    return { ok, needsRehash: !current };
  }

  /** Spends the same time as a real verification, for unknown users (no user enumeration by timing). */
  async verifyDummy(password: string): Promise<void> {
    this.dummy ??= this.hash(`dummy-${Math.random()}`);
    await argon2Verify(await this.dummy, password).catch(() => false);
  }
}
