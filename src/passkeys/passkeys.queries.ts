import type { AuthenticatorTransport } from '@simplewebauthn/server';
import { columns } from '../database/columns.js';
import { prepared, Queryable } from '../database/db.js';
import { isUuid } from '../common/validation/ids.js';

/** A stored WebAuthn credential of a user (API.md section 13). */
export interface PasskeyRecord {
  /** The method id of GET /auth/v2/mfa/methods. */
  id: string;
  userId: string;
  /** The credential id, base64url (what the authenticator names it). */
  credentialId: string;
  /** The COSE public key. */
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: AuthenticatorTransport[];
  backupEligible: boolean;
  backedUp: boolean;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** The credential's columns as a `PasskeyRecord` (counter is a bigint: answered as a number). */
const CREDENTIAL_COLUMNS = columns<PasskeyRecord>({
  id: 'id',
  userId: 'user_id',
  credentialId: 'credential_id',
  publicKey: 'public_key',
  counter: 'counter::float8',
  transports: 'transports',
  backupEligible: 'backup_eligible',
  backedUp: 'backed_up',
  name: 'name',
  createdAt: 'created_at',
  lastUsedAt: 'last_used_at',
});

const SELECT_CREDENTIAL = `SELECT ${CREDENTIAL_COLUMNS} FROM passkey_credential`;

/** A row as read: pg answers the key as a Buffer. */
type CredentialRow = Omit<PasskeyRecord, 'publicKey'> & { publicKey: Buffer };

/** The key as a Uint8Array over its own ArrayBuffer (what @simplewebauthn expects). */
function toRecord(row: CredentialRow): PasskeyRecord {
  const key = row.publicKey;
  return {
    ...row,
    publicKey: new Uint8Array(
      key.buffer.slice(key.byteOffset, key.byteOffset + key.byteLength) as ArrayBuffer,
    ),
  };
}

const listForUser = prepared(
  'passkeys.list-for-user',
  `${SELECT_CREDENTIAL} WHERE user_id = $1 ORDER BY created_at, id`,
);

/** The user's passkeys, oldest first. */
export async function credentialsOf(q: Queryable, userId: string): Promise<PasskeyRecord[]> {
  return (await q.rows<CredentialRow>(listForUser, [userId])).map(toRecord);
}

const byCredentialId = prepared('passkeys.by-credential-id', `${SELECT_CREDENTIAL} WHERE credential_id = $1`);

/** The credential the authenticator names, whoever it belongs to. */
export async function credentialById(q: Queryable, credentialId: string): Promise<PasskeyRecord | undefined> {
  const row = await q.row<CredentialRow>(byCredentialId, [credentialId]);
  return row && toRecord(row);
}

export interface NewCredential {
  userId: string;
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  backupEligible: boolean;
  backedUp: boolean;
  name: string;
}

/** Stores a verified credential; a credential id already stored (anyone's) is a unique violation. */
export async function insertCredential(q: Queryable, c: NewCredential): Promise<PasskeyRecord> {
  const row = await q.row<CredentialRow>(
    `INSERT INTO passkey_credential
       (user_id, credential_id, public_key, counter, transports, backup_eligible, backed_up, name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     RETURNING ${CREDENTIAL_COLUMNS}`,
    [
      c.userId,
      c.credentialId,
      Buffer.from(c.publicKey),
      c.counter,
      c.transports,
      c.backupEligible,
      c.backedUp,
      c.name,
    ],
  );
  return toRecord(row!);
}

const recordUseStatement = prepared(
  'passkeys.record-use',
  `UPDATE passkey_credential SET counter = $2, backed_up = $3, last_used_at = now()
   WHERE id = $1 AND (counter < $2 OR (counter = 0 AND $2 = 0))`,
);

/**
 * Records an accepted assertion: the new signature counter (which must be above the stored one,
 * unless the authenticator keeps no counter: both 0), compared in the UPDATE itself so that two
 * requests racing with the same assertion cannot both pass. False when the counter did not move on.
 */
export async function recordUse(
  q: Queryable,
  id: string,
  newCounter: number,
  backedUp: boolean,
): Promise<boolean> {
  return (await q.exec(recordUseStatement, [id, newCounter, backedUp])) === 1;
}

/** Removes one passkey of the user; answers it, or undefined when there was none. */
export async function deleteCredential(
  q: Queryable,
  userId: string,
  id: string,
): Promise<{ name: string } | undefined> {
  if (!isUuid(id)) return undefined;
  return q.row<{ name: string }>(
    `DELETE FROM passkey_credential WHERE id = $1 AND user_id = $2 RETURNING name`,
    [id, userId],
  );
}

/** Removes every passkey of the user; answers how many. */
export function deleteAllCredentials(q: Queryable, userId: string): Promise<number> {
  return q.exec(`DELETE FROM passkey_credential WHERE user_id = $1`, [userId]);
}

/** How many passkeys the user has. */
export async function countCredentials(q: Queryable, userId: string): Promise<number> {
  const row = await q.row<{ n: number }>(
    `SELECT count(*)::int AS n FROM passkey_credential WHERE user_id = $1`,
    [userId],
  );
  return row?.n ?? 0;
}

// ---- challenges ----------------------------------------------------------------------------

export type ChallengePurpose = 'register' | 'sign-in' | 'second-factor';

export interface ChallengeRecord {
  id: string;
  purpose: ChallengePurpose;
  /** base64url, as in the options. */
  challenge: string;
  /** register: the member; sign-in: the account of the typed email (null: anyone's); second-factor: the user. */
  userId: string | null;
  /** What the ceremony belongs to (the client of the visitor token, the MFA challenge, the redirect session). */
  binding: string;
  /** register: the passkey's name. */
  name: string | null;
}

interface ChallengeRow {
  id: string;
  purpose: ChallengePurpose;
  challenge: string;
  user_id: string | null;
  binding: string;
  name: string | null;
}

const toChallenge = (r: ChallengeRow): ChallengeRecord => ({
  id: r.id,
  purpose: r.purpose,
  challenge: r.challenge,
  userId: r.user_id,
  binding: r.binding,
  name: r.name,
});

export interface NewChallenge {
  purpose: ChallengePurpose;
  challenge: string;
  /** SHA-256 of the stateToken (null: found by binding and challenge). */
  stateHash: Buffer | null;
  userId: string | null;
  binding: string;
  name?: string | null;
  ttlSeconds: number;
}

const insertChallenge = prepared(
  'passkeys.insert-challenge',
  `INSERT INTO passkey_challenge (purpose, challenge, state_hash, user_id, binding, name, expires_at)
   VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
);

export async function saveChallenge(q: Queryable, c: NewChallenge): Promise<void> {
  await q.exec(insertChallenge, [
    c.purpose,
    c.challenge,
    c.stateHash,
    c.userId,
    c.binding,
    c.name ?? null,
    c.ttlSeconds,
  ]);
}

const takeByState = prepared(
  'passkeys.take-challenge-by-state',
  `DELETE FROM passkey_challenge WHERE state_hash = $1 AND purpose = $2 AND expires_at > now()
   RETURNING id, purpose, challenge, user_id, binding, name`,
);

/**
 * Spends the live challenge of a stateToken (single use: the DELETE decides between racing
 * requests); undefined when it is unknown, spent, expired or of another ceremony.
 */
export async function takeChallengeByState(
  q: Queryable,
  stateHash: Buffer,
  purpose: ChallengePurpose,
): Promise<ChallengeRecord | undefined> {
  const row = await q.row<ChallengeRow>(takeByState, [stateHash, purpose]);
  return row && toChallenge(row);
}

const takeByBinding = prepared(
  'passkeys.take-challenge-by-binding',
  `DELETE FROM passkey_challenge
   WHERE challenge = $1 AND binding = $2 AND user_id = $3 AND purpose = 'second-factor' AND expires_at > now()
   RETURNING id, purpose, challenge, user_id, binding, name`,
);

/** Spends the live second-factor challenge the assertion answers, if it was made for this binding and user. */
export async function takeSecondFactorChallenge(
  q: Queryable,
  challenge: string,
  binding: string,
  userId: string,
): Promise<ChallengeRecord | undefined> {
  const row = await q.row<ChallengeRow>(takeByBinding, [challenge, binding, userId]);
  return row && toChallenge(row);
}

/** Drops challenges that expired more than an hour ago; answers how many. */
export function purgeExpiredChallenges(q: Queryable): Promise<number> {
  return q.exec(`DELETE FROM passkey_challenge WHERE expires_at < now() - interval '1 hour'`);
}
