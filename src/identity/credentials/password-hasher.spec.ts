import { describe, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import { hash } from '@node-rs/argon2';
import { PasswordHasher } from './password-hasher.js';

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
});
