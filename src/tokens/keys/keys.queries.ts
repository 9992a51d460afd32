import type { JwtAlgorithm } from '../../config/config.js';
import { prepared, Queryable } from '../../database/db.js';

/**
 * What a key is for: `access` signs access tokens (`JWT_ALGORITHM`), `id_token` signs ID tokens
 * (one key per algorithm a client may choose), `legacy` keys come from before the split (they
 * signed both, with `typ: JWT`) and only verify until they expire.
 */
export type KeyPurpose = 'access' | 'id_token' | 'legacy';

export interface SigningKeyRow {
  kid: string;
  algorithm: JwtAlgorithm;
  purpose: KeyPurpose;
  private_key_enc: string;
  public_jwk: Record<string, unknown>;
  activates_at: Date;
  retired_at: Date | null;
  verify_until: Date | null;
}

const LOCK = `SELECT pg_advisory_xact_lock(hashtext('auth_signing_keys'))`;

/** One instance at a time decides about keys (first start, rotation); held until the transaction ends. */
export async function lockKeys(q: Queryable): Promise<void> {
  await q.exec(LOCK);
}

/** Every key still published (not past `verify_until`), oldest first. */
export function publishedKeys(q: Queryable): Promise<SigningKeyRow[]> {
  return q.rows<SigningKeyRow>(
    prepared(
      'keys.published',
      `SELECT kid, algorithm, purpose, private_key_enc, public_jwk, activates_at, retired_at, verify_until
       FROM signing_key WHERE verify_until IS NULL OR verify_until > now()
       ORDER BY activates_at, created_at`,
    ),
  );
}

/** Whether any key was ever created (a brand new installation has none). */
export async function anyKeyExists(q: Queryable): Promise<boolean> {
  return (await q.row(`SELECT 1 AS one FROM signing_key LIMIT 1`)) !== undefined;
}

export async function insertKey(
  q: Queryable,
  key: {
    kid: string;
    algorithm: JwtAlgorithm;
    purpose: KeyPurpose;
    privateKeyEnc: string;
    publicJwk: Record<string, unknown>;
    activatesAt: Date;
  },
): Promise<void> {
  await q.exec(
    `INSERT INTO signing_key (kid, algorithm, purpose, private_key_enc, public_jwk, activates_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [key.kid, key.algorithm, key.purpose, key.privateKeyEnc, JSON.stringify(key.publicJwk), key.activatesAt],
  );
}

/**
 * Retires the not-yet-retired keys of `purposes` (of `algorithm`, when given) at `at`: they sign
 * until then and keep verifying (and stay published) `graceSeconds` longer.
 */
export function retireKeys(
  q: Queryable,
  filter: { purposes: KeyPurpose[]; algorithm?: JwtAlgorithm; exceptKid: string },
  at: Date,
  graceSeconds: number,
): Promise<number> {
  return q.exec(
    `UPDATE signing_key SET retired_at = $1, verify_until = $1::timestamptz + make_interval(secs => $2)
     WHERE retired_at IS NULL AND purpose = ANY($3::text[]) AND ($4::text IS NULL OR algorithm = $4)
       AND kid <> $5`,
    [at, graceSeconds, filter.purposes, filter.algorithm ?? null, filter.exceptKid],
  );
}

export async function notifyKeysChanged(q: Queryable, channel: string, kid: string): Promise<void> {
  await q.exec(`SELECT pg_notify($1, $2)`, [channel, kid]);
}
