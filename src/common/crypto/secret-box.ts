import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (signing keys, TOTP secrets, provider tokens, login-activity
 * payloads). Format: `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id is a
 * short fingerprint of the key, so values written under ENCRYPTION_KEY_PREVIOUS still decrypt
 * after a rotation until they are re-encrypted. Every value gets a fresh 96-bit IV.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  private readonly currentId: string;

  constructor(current: Buffer, previous?: Buffer) {
    this.currentId = SecretBox.keyId(current);
    this.keys.set(this.currentId, current);
    if (previous) this.keys.set(SecretBox.keyId(previous), previous);
  }

  static keyId(key: Buffer): string {
    return createHash('sha256').update(key).digest().subarray(0, 6).toString('base64url');
  }

  encrypt(plain: string | Buffer): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv);
    const data = Buffer.concat([cipher.update(plain), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
    return ['v1', this.currentId, ...parts].join('.');
  }

  decryptBuffer(sealed: string): Buffer {
    const [version, keyId, iv, tag, data] = sealed.split('.');
    const key = this.keys.get(keyId ?? '');
    if (version !== 'v1' || !key || !iv || !tag || data === undefined) {
      throw new Error('secret cannot be decrypted with the configured ENCRYPTION_KEY');
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
  }

  decrypt(sealed: string): string {
    return this.decryptBuffer(sealed).toString('utf8');
  }

  /** True when the value was sealed with an older key and should be re-encrypted. */
  isStale(sealed: string): boolean {
    return sealed.split('.')[1] !== this.currentId;
  }
}
