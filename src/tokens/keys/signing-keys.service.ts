import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { APP_CONFIG } from '../../config/config.module.js';
import { JWT_ALGORITHMS, type AppConfig, type JwtAlgorithm } from '../../config/config.js';
import { SecretBox, sealedAt } from '../../common/crypto/secret-box.js';
import { Db, Queryable } from '../../database/db.js';
import { PgListener } from '../../database/pg-listener.js';
import {
  anyKeyExists,
  insertKey,
  KeyPurpose,
  lockKeys,
  notifyKeysChanged,
  publishedKeys,
  retireKeys,
  SigningKeyRow,
} from './keys.queries.js';

export type { KeyPurpose } from './keys.queries.js';

export interface Signer {
  kid: string;
  alg: JwtAlgorithm;
  privateKey: KeyObject;
}

export interface Verifier {
  alg: JwtAlgorithm;
  purpose: KeyPurpose;
  publicKey: KeyObject;
}

interface LoadedKey extends Verifier {
  kid: string;
  jwk: Record<string, unknown>;
  privateKey: KeyObject | null;
  activatesAt: number;
  retiredAt: number | null;
  verifyUntil: number | null;
}

const KEYS_CHANNEL = 'auth_signing_keys';
/**
 * A retired key keeps verifying (and stays in the JWKS) this long after its last signature:
 * longer than any token lives (access tokens at most 24 h, ID tokens 1 h), plus clock skew.
 */
const RETIRED_KEY_GRACE_S = 48 * 3600;
/** Minimum time between reloads triggered by an unknown `kid`. */
const RELOAD_INTERVAL_MS = 5_000;
/** ID tokens are signed with the algorithm the client chose; a key for each is always published. */
export const ID_TOKEN_ALGORITHMS: readonly JwtAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];

function generate(alg: JwtAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

const canSign = (k: LoadedKey, now: number) =>
  k.privateKey !== null && k.activatesAt <= now && (k.retiredAt === null || k.retiredAt > now);

/**
 * The JWT signing keys: kept in Postgres with the private half encrypted, shared by every
 * instance, published as a JWKS. Access tokens are signed by the `access` key (JWT_ALGORITHM);
 * ID tokens by an `id_token` key of the client's algorithm (RS256 by default).
 *
 * Keys are published before they sign (API.md section 7): a new key appears in the JWKS at once
 * and signs only `2 x JWKS_MAX_AGE` later, so a relying party that cached the JWKS just before
 * knows the key when it first sees it; the key it replaces signs until then and stays published
 * 48 hours longer. Every instance loads every key as soon as it is created (NOTIFY) and switches
 * at the same moment by the clock. A brand new installation, which nobody has cached, signs at
 * once.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger('SigningKeys');
  private keys: LoadedKey[] = [];
  private verifiers = new Map<string, LoadedKey>();
  private lastReload = 0;
  /** Signers chosen for the current period, until the next activation or retirement. */
  private cache: { until: number; access: Signer; idToken: Map<JwtAlgorithm, Signer> } | undefined;

  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly box: SecretBox,
    private readonly listener: PgListener,
  ) {}

  /** How long before it signs a new key is published: twice the JWKS cache lifetime. */
  get publishLeadSeconds(): number {
    return 2 * this.config.jwksMaxAgeSeconds;
  }

  async onModuleInit(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await lockKeys(tx);
      await this.ensureKeys(tx);
    });
    await this.reload();
    await this.listener.listen(
      KEYS_CHANNEL,
      () => void this.reload().catch((err: Error) => this.logger.warn(`reload failed: ${err.message}`)),
      () => this.reload(),
    );
  }

  /**
   * Creates the keys the configuration needs and the database lacks: an `access` key of
   * JWT_ALGORITHM and an `id_token` key of each ID-token algorithm. On a brand new installation
   * they sign at once; otherwise they sign after the publication lead, and meanwhile the key they
   * replace (or, for ID tokens, the access key) keeps signing. Only when nothing at all could sign
   * does a key sign at once.
   */
  private async ensureKeys(tx: Queryable): Promise<void> {
    const fresh = !(await anyKeyExists(tx));
    const rows = await publishedKeys(tx);
    const now = Date.now();
    const usable = (r: SigningKeyRow, purposes: KeyPurpose[]) =>
      purposes.includes(r.purpose) &&
      r.activates_at.getTime() <= now &&
      (r.retired_at === null || r.retired_at.getTime() > now);
    const current = (purpose: KeyPurpose, alg: JwtAlgorithm) =>
      rows.some((r) => r.purpose === purpose && r.algorithm === alg && r.retired_at === null);
    const accessCanSign = rows.some((r) => usable(r, ['access', 'legacy']));
    const later = new Date(now + this.publishLeadSeconds * 1000);
    let created = false;
    if (!current('access', this.config.jwtAlgorithm)) {
      const at = fresh || !accessCanSign ? new Date(now) : later;
      await this.createKey(tx, 'access', this.config.jwtAlgorithm, at);
      created = true;
    }
    for (const alg of ID_TOKEN_ALGORITHMS) {
      if (current('id_token', alg)) continue;
      const fallback = accessCanSign || rows.some((r) => usable(r, ['id_token']));
      await this.createKey(tx, 'id_token', alg, fresh || !fallback ? new Date(now) : later);
      created = true;
    }
    if (created && !fresh)
      this.logger.log(`new signing keys published; they sign from ${later.toISOString()}`);
  }

  /**
   * Creates a key of `purpose` and `alg` that signs from `activatesAt`, and retires the key(s) it
   * replaces at that moment (access: every access or legacy key; id_token: the key of that
   * algorithm).
   */
  private async createKey(
    tx: Queryable,
    purpose: 'access' | 'id_token',
    alg: JwtAlgorithm,
    activatesAt: Date,
  ): Promise<string> {
    const { privateKey, publicKey } = generate(alg);
    const kid = randomBytes(12).toString('base64url');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
    await insertKey(tx, {
      kid,
      algorithm: alg,
      purpose,
      privateKeyEnc: this.box.encrypt(pem, sealedAt('signing_key', 'private_key_enc', kid)),
      publicJwk: jwk,
      activatesAt,
    });
    await retireKeys(
      tx,
      purpose === 'access'
        ? { purposes: ['access', 'legacy'], exceptKid: kid }
        : { purposes: ['id_token'], algorithm: alg, exceptKid: kid },
      activatesAt,
      RETIRED_KEY_GRACE_S,
    );
    await notifyKeysChanged(tx, KEYS_CHANNEL, kid);
    return kid;
  }

  /**
   * `npm run cli -- keys:rotate`: a successor for every signing key (the access key and each
   * ID-token key), published now and signing from `signsFrom` (twice the JWKS max-age from now).
   * The keys they replace sign until then and keep verifying 48 hours longer.
   */
  async rotate(): Promise<{ kid: string; kids: string[]; signsFrom: Date }> {
    const signsFrom = new Date(Date.now() + this.publishLeadSeconds * 1000);
    const kids = await this.db.transaction(async (tx) => {
      await lockKeys(tx);
      const created = [await this.createKey(tx, 'access', this.config.jwtAlgorithm, signsFrom)];
      for (const alg of ID_TOKEN_ALGORITHMS)
        created.push(await this.createKey(tx, 'id_token', alg, signsFrom));
      return created;
    });
    await this.reload();
    this.logger.log(
      `signing keys rotated: new access kid ${kids[0]}, signing from ${signsFrom.toISOString()}`,
    );
    return { kid: kids[0]!, kids, signsFrom };
  }

  async reload(): Promise<void> {
    this.lastReload = Date.now();
    const rows = await publishedKeys(this.db);
    const keys: LoadedKey[] = rows.map((row) => {
      const retiredAt = row.retired_at?.getTime() ?? null;
      const mayStillSign = retiredAt === null || retiredAt > Date.now();
      return {
        kid: row.kid,
        alg: row.algorithm,
        purpose: row.purpose,
        publicKey: createPublicKey({ key: row.public_jwk as never, format: 'jwk' }),
        jwk: row.public_jwk,
        privateKey: mayStillSign
          ? createPrivateKey(
              this.box.decrypt(row.private_key_enc, sealedAt('signing_key', 'private_key_enc', row.kid)),
            )
          : null,
        activatesAt: row.activates_at.getTime(),
        retiredAt,
        verifyUntil: row.verify_until?.getTime() ?? null,
      };
    });
    if (!keys.some((k) => canSign(k, Date.now()) && k.purpose !== 'id_token')) {
      throw new Error('no signing key can sign now');
    }
    this.keys = keys;
    this.verifiers = new Map(keys.map((k) => [k.kid, k]));
    this.cache = undefined;
  }

  /** The signers of this moment, recomputed when a key activates or retires. */
  private signers(): NonNullable<SigningKeysService['cache']> {
    const now = Date.now();
    if (this.cache && now < this.cache.until) return this.cache;
    if (this.keys.length === 0) throw new Error('signing keys not loaded');
    const newest = (candidates: LoadedKey[]) => candidates.sort((a, b) => b.activatesAt - a.activatesAt)[0];
    const toSigner = (k: LoadedKey): Signer => ({ kid: k.kid, alg: k.alg, privateKey: k.privateKey! });
    const accessKeys = this.keys.filter((k) => canSign(k, now) && k.purpose !== 'id_token');
    const access = newest(accessKeys.filter((k) => k.alg === this.config.jwtAlgorithm)) ?? newest(accessKeys);
    if (!access) throw new Error('no signing key can sign now');
    const idToken = new Map<JwtAlgorithm, Signer>();
    for (const alg of JWT_ALGORITHMS) {
      const key = newest(
        this.keys.filter((k) => k.purpose === 'id_token' && k.alg === alg && canSign(k, now)),
      );
      // Only while an upgraded installation's ID-token keys wait for publication: the access key, as before.
      idToken.set(alg, toSigner(key ?? access));
    }
    const changes = this.keys.flatMap((k) => [k.activatesAt, k.retiredAt ?? Infinity]).filter((t) => t > now);
    this.cache = { until: Math.min(Infinity, ...changes), access: toSigner(access), idToken };
    return this.cache;
  }

  /** The key that signs access tokens now. */
  accessSigner(): Signer {
    return this.signers().access;
  }

  /** The key that signs ID tokens of `alg` now. */
  idTokenSigner(alg: JwtAlgorithm): Signer {
    return this.signers().idToken.get(alg)!;
  }

  /** The verification key for `kid`; an unknown kid triggers a (rate-limited) reload from the database. */
  async verifierFor(kid: string | undefined): Promise<Verifier | undefined> {
    if (!kid) return undefined;
    const known = this.verifierSync(kid);
    if (known || Date.now() - this.lastReload < RELOAD_INTERVAL_MS) return known;
    await this.reload().catch(() => undefined);
    return this.verifierSync(kid);
  }

  /** The verification key for `kid` if it is loaded and not past its verification period. */
  verifierSync(kid: string | undefined): Verifier | undefined {
    const key = kid ? this.verifiers.get(kid) : undefined;
    return key && (key.verifyUntil === null || key.verifyUntil > Date.now()) ? key : undefined;
  }

  /** The JWKS: every key that signs, will sign, or signed tokens that may still be alive. */
  publicJwks(): { keys: Record<string, unknown>[] } {
    const now = Date.now();
    return { keys: this.keys.filter((k) => k.verifyUntil === null || k.verifyUntil > now).map((k) => k.jwk) };
  }
}
