import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';

describe('SecretBox (AES-256-GCM)', () => {
  const key = randomBytes(32);

  it('round-trips with a fresh IV each time', () => {
    const box = new SecretBox(key);
    const a = box.encrypt('203.0.113.7');
    const b = box.encrypt('203.0.113.7');
    expect(a).not.toBe(b);
    expect(a).not.toContain('203.0.113.7');
    expect(box.decrypt(a)).toBe('203.0.113.7');
    expect(box.decrypt(b)).toBe('203.0.113.7');
  });

  it('detects tampering', () => {
    const box = new SecretBox(key);
    const sealed = box.encrypt('secret');
    const parts = sealed.split('.');
    const data = Buffer.from(parts[4]!, 'base64url');
    data[0] = data[0]! ^ 1;
    parts[4] = data.toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow();
  });

  it('decrypts values of the previous key after a rotation and marks them stale', () => {
    const old = new SecretBox(key);
    const sealed = old.encrypt('kept');
    const rotated = new SecretBox(randomBytes(32), key);
    expect(rotated.decrypt(sealed)).toBe('kept');
    expect(rotated.isStale(sealed)).toBe(true);
    expect(rotated.isStale(rotated.encrypt('new'))).toBe(false);
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed)).toThrow(/ENCRYPTION_KEY/);
  });
});
