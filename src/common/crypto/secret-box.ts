import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Where a sealed value lives: `table.column:rowId`. Sealed columns bind their ciphertext to this
 * (AES-GCM associated data), so a value copied to another row or column does not open.
 * `rowId` is the key the `reencrypt` command finds the row by (SEALED_COLUMNS in src/admin).
 */
export function sealedAt(table: string, column: string, rowId: string): string {
  return `${table}.${column}:${rowId}`;
}

const CURRENT_VERSION = 'v2';

/**
 * AES-256-GCM for secrets at rest (signing keys, TOTP secrets, provider tokens, login-activity
 * payloads, ...). Format: `v2.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts), authenticated
 * with the associated data `v2.<key id>|<context>`, where the context says where the value lives
 * (`sealedAt(table, column, rowId)`): a value moved to another row or column fails to open. The key
 * id is a short fingerprint of the key, so values written under ENCRYPTION_KEY_PREVIOUS still open
 * after a rotation until they are re-encrypted. Every value gets a fresh 96-bit IV.
 *
 * `v1` values (written before contexts existed: no associated data) still open, with any context;
 * they count as stale, so `npm run cli -- reencrypt` rewrites them as bound `v2` values.
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

  /** The prefix every value sealed now starts with (`v2.<key id>.`). */
  currentPrefix(): string {
    return `${CURRENT_VERSION}.${this.currentId}.`;
  }

  private static associatedData(version: string, keyId: string, context: string): Buffer {
    if (!context) throw new Error('a sealed value needs the context it lives in');
    return Buffer.from(`${version}.${keyId}|${context}`, 'utf8');
  }

  /** Seals `plain` for the place `context` (see `sealedAt`). */
  encrypt(plain: string | Buffer, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv);
    cipher.setAAD(SecretBox.associatedData(CURRENT_VERSION, this.currentId, context));
    const data = Buffer.concat([cipher.update(plain), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
    return [CURRENT_VERSION, this.currentId, ...parts].join('.');
  }

  /** Opens a value sealed for `context`; throws for another context, a tampered value or an unknown key. */
  decryptBuffer(sealed: string, context: string): Buffer {
    const [version, keyId, iv, tag, data, extra] = sealed.split('.');
    const key = this.keys.get(keyId ?? '');
    if (
      (version !== 'v1' && version !== CURRENT_VERSION) ||
      !key ||
      !iv ||
      !tag ||
      data === undefined ||
      extra !== undefined
    ) {
      throw new Error('secret cannot be decrypted with the configured ENCRYPTION_KEY');
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    if (version === CURRENT_VERSION) decipher.setAAD(SecretBox.associatedData(version, keyId!, context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
  }

  decrypt(sealed: string, context: string): string {
    return this.decryptBuffer(sealed, context).toString('utf8');
  }

  /** Opens the value, or answers null when it does not open here (moved, tampered, unknown key). */
  decryptOrNull(sealed: string, context: string): string | null {
    try {
      return this.decrypt(sealed, context);
    } catch {
      return null;
    }
  }

  /**
   * True when the value should be re-encrypted: sealed with an older key, or an unbound `v1`
   * value from before contexts existed.
   */
  isStale(sealed: string): boolean {
    const [version, keyId] = sealed.split('.');
    return version !== CURRENT_VERSION || keyId !== this.currentId;
  }
}
