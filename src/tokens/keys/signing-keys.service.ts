import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig, JwtAlgorithm } from '../../config/config.js';
import { SecretBox, sealedAt } from '../../common/crypto/secret-box.js';
import { PgListener } from '../../database/pg-listener.js';
import { SigningKey } from '../entities/signing-key.entity.js';

export interface Signer {
  kid: string;
  alg: JwtAlgorithm;
  privateKey: KeyObject;
}

interface Verifier {
  alg: JwtAlgorithm;
  publicKey: KeyObject;
}

const KEYS_CHANNEL = 'auth_signing_keys';
/** A retired key keeps verifying this long (longer than any access token lives, plus clock skew). */
const RETIRED_KEY_GRACE_MS = 48 * 3600_000;
/** Minimum time between reloads triggered by an unknown `kid`. */
const RELOAD_INTERVAL_MS = 5_000;

function generate(alg: JwtAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/**
 * The JWT signing keys: created on first start, kept in Postgres with the private half encrypted,
 * shared by every instance, published as a JWKS, rotated by `npm run cli -- keys:rotate`.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger('SigningKeys');
  private signer: Signer | undefined;
  private verifiers = new Map<string, Verifier>();
  private jwks: { keys: Record<string, unknown>[] } = { keys: [] };
  private lastReload = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly box: SecretBox,
    private readonly listener: PgListener,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      // One instance at a time decides whether a key must be created.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('auth_signing_keys'))`);
      const active = await m.query(
        `SELECT kid, algorithm FROM signing_key WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1`,
      );
      if (active.length === 0 || active[0].algorithm !== this.config.jwtAlgorithm) {
        await this.createKey(m);
      }
    });
    await this.reload();
    await this.listener.listen(
      KEYS_CHANNEL,
      () => void this.reload(),
      () => this.reload(),
    );
  }

  private async createKey(m: EntityManager): Promise<string> {
    const alg = this.config.jwtAlgorithm;
    const { privateKey, publicKey } = generate(alg);
    const kid = randomBytes(12).toString('base64url');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
    await m.query(
      `UPDATE signing_key SET retired_at = now(), verify_until = now() + make_interval(secs => $1)
       WHERE retired_at IS NULL`,
      [RETIRED_KEY_GRACE_MS / 1000],
    );
    await m.getRepository(SigningKey).insert({
      kid,
      algorithm: alg,
      privateKeyEnc: this.box.encrypt(pem, sealedAt('signing_key', 'private_key_enc', kid)),
      publicJwk: jwk,
    });
    await m.query(`SELECT pg_notify($1, $2)`, [KEYS_CHANNEL, kid]);
    return kid;
  }

  /** Creates a new signing key; the old one keeps verifying until its tokens have expired. */
  async rotate(): Promise<string> {
    const kid = await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('auth_signing_keys'))`);
      return this.createKey(m);
    });
    await this.reload();
    this.logger.log(`signing key rotated: new kid ${kid}`);
    return kid;
  }

  async reload(): Promise<void> {
    this.lastReload = Date.now();
    const rows: SigningKey[] = await this.dataSource.getRepository(SigningKey).query(
      `SELECT kid, algorithm, private_key_enc AS "privateKeyEnc", public_jwk AS "publicJwk", retired_at AS "retiredAt"
       FROM signing_key WHERE verify_until IS NULL OR verify_until > now() ORDER BY created_at DESC`,
    );
    const verifiers = new Map<string, Verifier>();
    let signer: Signer | undefined;
    for (const row of rows) {
      const alg = row.algorithm as JwtAlgorithm;
      verifiers.set(row.kid, {
        alg,
        publicKey: createPublicKey({ key: row.publicJwk as never, format: 'jwk' }),
      });
      if (!signer && !row.retiredAt) {
        const pem = this.box.decrypt(row.privateKeyEnc, sealedAt('signing_key', 'private_key_enc', row.kid));
        signer = { kid: row.kid, alg, privateKey: createPrivateKey(pem) };
      }
    }
    if (!signer) throw new Error('no active signing key');
    this.signer = signer;
    this.verifiers = verifiers;
    this.jwks = { keys: rows.map((r) => r.publicJwk) };
  }

  currentSigner(): Signer {
    if (!this.signer) throw new Error('signing keys not loaded');
    return this.signer;
  }

  /** The verification key for `kid`; an unknown kid triggers a (rate-limited) reload from the database. */
  async verifierFor(kid: string | undefined): Promise<Verifier | undefined> {
    if (!kid) return undefined;
    const known = this.verifiers.get(kid);
    if (known || Date.now() - this.lastReload < RELOAD_INTERVAL_MS) return known;
    await this.reload().catch(() => undefined);
    return this.verifiers.get(kid);
  }

  verifierSync(kid: string | undefined): Verifier | undefined {
    return kid ? this.verifiers.get(kid) : undefined;
  }

  publicJwks(): { keys: Record<string, unknown>[] } {
    return this.jwks;
  }
}
