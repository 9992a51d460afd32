import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { parseOptions } from '@node-rs/argon2';
import { HashWorkers } from './hash-workers.js';

/** argon2id parameters of API.md section 0 (OWASP's minimum for argon2id). */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
/** Algorithm.Argon2id of @node-rs/argon2 (a const enum, which isolated-module builds cannot inline). */
const ARGON2ID = 2;

export interface VerifyResult {
  ok: boolean;
  /** The stored hash is bcrypt or argon2 with other parameters: store `hash(password)` now. */
  needsRehash: boolean;
}

const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
const ARGON2 = /^\$argon2(id|i|d)\$/;

/**
 * The costliest imported hashes accepted (API.md section 12): verifying a hash costs what its
 * parameters say, so an imported hash with m = 1 GiB or bcrypt cost 31 would let whoever imported
 * it tie up the service with each sign-in attempt. argon2: memory (KiB), iterations, lanes;
 * bcrypt: the cost (2^cost rounds; 4 is bcrypt's minimum, 14 already takes about a second).
 */
export const IMPORT_LIMITS = {
  argon2: { memoryCost: 65536, timeCost: 10, parallelism: 4 },
  bcrypt: { minCost: 4, maxCost: 14 },
} as const;

/** Why an imported hash is refused: not a hash this service verifies, or too costly to verify. */
export interface ImportProblem {
  kind: 'format' | 'cost';
  message: string;
}

/**
 * Hashes passwords with argon2id and verifies argon2 and imported bcrypt hashes.
 *
 * The hashes run on HashWorkers: at most one per core at a time (each holds 19 MiB while it
 * runs), the others waiting their turn as a closure, on threads of lower priority than the
 * request thread and PostgreSQL. A login storm then keeps every core busy hashing while every
 * other request is still answered first, without queuing hashes on libuv's thread pool (where
 * they would block its other work: DNS, file reads) and without growing memory with the storm.
 */
@Injectable()
export class PasswordHasher implements OnModuleDestroy {
  /** A real hash of a random string: verifying against it costs what a real check costs. */
  private dummy: Promise<string> | undefined;
  private readonly workers = new HashWorkers();

  hash(password: string): Promise<string> {
    return this.workers.run({
      op: 'argon2Hash',
      args: [password, { ...ARGON2_PARAMS, algorithm: ARGON2ID }],
    });
  }

  onModuleDestroy(): Promise<void> {
    return this.workers.close();
  }

  /** Whether `value` is a hash this service can import (`passwordHash` of POST /admin/users). */
  static isSupportedHash(value: string): boolean {
    return PasswordHasher.importProblem(value) === null;
  }

  /**
   * Why `value` cannot be imported as a password hash, or null when it can: a bcrypt ($2a$, $2b$,
   * $2y$) or argon2 PHC string within IMPORT_LIMITS.
   */
  static importProblem(value: string): ImportProblem | null {
    const bcryptCost = BCRYPT.exec(value)?.[1];
    if (bcryptCost !== undefined) {
      const { minCost, maxCost } = IMPORT_LIMITS.bcrypt;
      const cost = Number(bcryptCost);
      if (cost < minCost || cost > maxCost) {
        return {
          kind: 'cost',
          message: `passwordHash: a bcrypt cost must be between ${minCost} and ${maxCost}`,
        };
      }
      return null;
    }
    const format: ImportProblem = {
      kind: 'format',
      message: 'passwordHash must be a bcrypt ($2a$, $2b$, $2y$) or argon2 PHC string',
    };
    if (!ARGON2.test(value)) return format;
    let options: ReturnType<typeof parseOptions>;
    try {
      options = parseOptions(value);
    } catch {
      return format;
    }
    const max = IMPORT_LIMITS.argon2;
    if (
      !(options.memoryCost! <= max.memoryCost) ||
      !(options.timeCost! <= max.timeCost) ||
      !(options.parallelism! <= max.parallelism)
    ) {
      return {
        kind: 'cost',
        message: `passwordHash: argon2 parameters may be at most m=${max.memoryCost} (KiB), t=${max.timeCost}, p=${max.parallelism}`,
      };
    }
    return null;
  }

  async verify(storedHash: string, password: string): Promise<VerifyResult> {
    // A stored hash beyond the import limits (written before they existed) is never run: it
    // fails like a wrong password, at the cost of a normal check; a reset replaces it.
    if (PasswordHasher.importProblem(storedHash)?.kind === 'cost') {
      await this.verifyDummy(password);
      return { ok: false, needsRehash: false };
    }
    if (BCRYPT.test(storedHash)) {
      const ok = await this.workers.run<boolean>({ op: 'bcryptCompare', args: [password, storedHash] });
      return { ok, needsRehash: ok };
    }
    if (!ARGON2.test(storedHash)) return { ok: false, needsRehash: false };
    let ok: boolean;
    try {
      ok = await this.workers.run<boolean>({ op: 'argon2Verify', args: [storedHash, password] });
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
    const dummy = await this.dummy;
    await this.workers.run({ op: 'argon2Verify', args: [dummy, password] }).catch(() => false);
  }
}
