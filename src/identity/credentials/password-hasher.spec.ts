import { describe, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import { hash } from '@node-rs/argon2';
import { IMPORT_LIMITS, PasswordHasher } from './password-hasher.js';

/** A well-formed argon2id PHC string with the given parameters (salt and hash are filler). */
const phc = (m: number, t: number, p: number) =>
  `$argon2id$v=19$m=${m},t=${t},p=${p}$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g`;

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id m=19456 t=2 p=1 and verifies', async () => {
    const h = await hasher.hash('Violet-Harbour-Lantern-42');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(h, 'Violet-Harbour-Lantern-42')).toEqual({ ok: true, needsRehash: false });
    expect(await hasher.verify(h, 'violet-harbour-lantern-42')).toEqual({ ok: false, needsRehash: false });
  });

  it('asks to rehash argon2 hashes with other parameters', async () => {
    const old = await hash('secret-secret-1', {
      memoryCost: 4096,
      timeCost: 3,
      parallelism: 1,
      algorithm: 2,
    });
    expect(await hasher.verify(old, 'secret-secret-1')).toEqual({ ok: true, needsRehash: true });
  });

  it('verifies imported bcrypt hashes ($2a$, $2b$, $2y$) and asks to upgrade them', async () => {
    const b = bcrypt.hashSync('imported-password', 4);
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      const variant = prefix + b.slice(4);
      expect(PasswordHasher.isSupportedHash(variant)).toBe(true);
      expect(await hasher.verify(variant, 'imported-password')).toEqual({ ok: true, needsRehash: true });
      expect((await hasher.verify(variant, 'wrong')).ok).toBe(false);
    }
  });

  it('refuses unknown hash formats', async () => {
    expect(PasswordHasher.isSupportedHash('5f4dcc3b5aa765d61d8327deb882cf99')).toBe(false);
    expect(PasswordHasher.isSupportedHash('$argon2id$garbage')).toBe(false);
    expect(await hasher.verify('plain-text', 'plain-text')).toEqual({ ok: false, needsRehash: false });
  });

  it('imports argon2 hashes only up to m=65536 KiB, t=10, p=4 (a costlier one would tie up every sign-in)', () => {
    expect(IMPORT_LIMITS.argon2).toEqual({ memoryCost: 65536, timeCost: 10, parallelism: 4 });
    expect(PasswordHasher.importProblem(phc(65536, 10, 4))).toBeNull();
    expect(PasswordHasher.importProblem(phc(19456, 2, 1))).toBeNull();
    for (const [m, t, p] of [
      [65537, 2, 1],
      [1048576, 2, 1],
      [19456, 11, 1],
      [19456, 2, 5],
    ]) {
      const problem = PasswordHasher.importProblem(phc(m!, t!, p!));
      expect(problem?.kind, `m=${m},t=${t},p=${p}`).toBe('cost');
      expect(problem?.message).toContain('passwordHash');
    }
  });

  it('imports bcrypt hashes only with a cost from 4 to 14', () => {
    const b = bcrypt.hashSync('imported-password', 4);
    const withCost = (cost: string) => `$2b$${cost}$${b.slice(7)}`;
    expect(PasswordHasher.importProblem(withCost('04'))).toBeNull();
    expect(PasswordHasher.importProblem(withCost('14'))).toBeNull();
    expect(PasswordHasher.importProblem(withCost('15'))?.kind).toBe('cost');
    expect(PasswordHasher.importProblem(withCost('31'))?.kind).toBe('cost');
    expect(PasswordHasher.importProblem(withCost('03'))?.kind).toBe('cost');
    expect(PasswordHasher.importProblem('md5$abc')?.kind).toBe('format');
  });

  it('never runs a stored hash beyond the limits: it fails like a wrong password, at a normal cost', async () => {
    const started = Date.now();
    expect(await hasher.verify(phc(4194304, 1, 1), 'anything')).toEqual({ ok: false, needsRehash: false });
    expect(await hasher.verify(`$2b$31$${bcrypt.hashSync('x', 4).slice(7)}`, 'x')).toEqual({
      ok: false,
      needsRehash: false,
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
