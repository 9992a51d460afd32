import { describe, expect, it } from 'vitest';
import { createCipheriv, randomBytes } from 'node:crypto';
import { SecretBox, sealedAt } from './secret-box.js';

const HERE = sealedAt('session', 'ip_address_enc', '8d5c3f9e-0000-4000-8000-000000000001');
const THERE = sealedAt('session', 'ip_address_enc', '8d5c3f9e-0000-4000-8000-000000000002');

/** A value in the format written before values were bound to their row (no associated data). */
function legacyV1(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  return [
    'v1',
    SecretBox.keyId(key),
    ...[iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')),
  ].join('.');
}

describe('SecretBox (AES-256-GCM)', () => {
  const key = randomBytes(32);

  it('round-trips with a fresh IV each time', () => {
    const box = new SecretBox(key);
    const a = box.encrypt('203.0.113.7', HERE);
    const b = box.encrypt('203.0.113.7', HERE);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v2\./);
    expect(a.startsWith(box.currentPrefix())).toBe(true);
    expect(a).not.toContain('203.0.113.7');
    expect(box.decrypt(a, HERE)).toBe('203.0.113.7');
    expect(box.decrypt(b, HERE)).toBe('203.0.113.7');
  });

  it('detects tampering', () => {
    const box = new SecretBox(key);
    const sealed = box.encrypt('secret', HERE);
    const parts = sealed.split('.');
    const data = Buffer.from(parts[4]!, 'base64url');
    data[0] = data[0]! ^ 1;
    parts[4] = data.toString('base64url');
    expect(() => box.decrypt(parts.join('.'), HERE)).toThrow();
    expect(() => box.decrypt(`v1${sealed.slice(2)}`, HERE), 'a downgrade to v1 drops no check').toThrow();
  });

  it('a value moved to another row or column does not open there', () => {
    const box = new SecretBox(key);
    const sealed = box.encrypt('secret', HERE);
    expect(() => box.decrypt(sealed, THERE)).toThrow();
    expect(() => box.decrypt(sealed, sealedAt('login_activity', 'ip_address_enc', '1'))).toThrow();
    expect(box.decryptOrNull(sealed, THERE)).toBeNull();
    expect(box.decryptOrNull(sealed, HERE)).toBe('secret');
    expect(() => box.encrypt('x', '')).toThrow();
  });

  it('opens v1 values written before the binding, and marks them stale for reencrypt', () => {
    const box = new SecretBox(key);
    const old = legacyV1(key, 'kept');
    expect(box.decrypt(old, HERE)).toBe('kept');
    expect(box.isStale(old)).toBe(true);
    expect(box.isStale(box.encrypt('new', HERE))).toBe(false);
  });

  it('decrypts values of the previous key after a rotation and marks them stale', () => {
    const old = new SecretBox(key);
    const sealed = old.encrypt('kept', HERE);
    const rotated = new SecretBox(randomBytes(32), key);
    expect(rotated.decrypt(sealed, HERE)).toBe('kept');
    expect(rotated.isStale(sealed)).toBe(true);
    expect(rotated.isStale(rotated.encrypt('new', HERE))).toBe(false);
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed, HERE)).toThrow(/ENCRYPTION_KEY/);
  });
});
