import { randomInt } from 'node:crypto';
import { sha256 } from '../common/crypto/tokens.js';
import type { Queryable } from '../database/db.js';
import {
  deleteRecoveryCodeSet,
  insertRecoveryCodes,
  insertRecoveryCodeSet,
  isRecoveryCodeUnused,
  recoveryCodeSetOf,
  spendRecoveryCode,
  touchMethod,
} from './mfa-methods.queries.js';

/** Crockford's base32 alphabet, lower case: no i, l, o, u, so codes read back unambiguously. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const RECOVERY_CODE_COUNT = 10;
const GROUP = 5;

/** `count` codes of 10 characters (50 bits from the CSPRNG each), shown as `xxxxx-xxxxx`. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let raw = '';
    for (let i = 0; i < GROUP * 2; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
    return `${raw.slice(0, GROUP)}-${raw.slice(GROUP)}`;
  });
}

/** What people type back: any case, with or without the dash or spaces, i/l for 1 and o for 0. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
}

export function isRecoveryCodeFormat(input: string): boolean {
  const n = normalizeRecoveryCode(input);
  return n.length === GROUP * 2 && [...n].every((c) => ALPHABET.includes(c));
}

/** The stored form: SHA-256, salted with the method id so equal codes of two users differ. */
export function recoveryCodeHash(methodId: string, code: string): Buffer {
  return sha256(`recovery-code:${methodId}:${normalizeRecoveryCode(code)}`);
}

/**
 * Checks (and with `consume` spends) one of the user's unused recovery codes, of the set
 * `methodId` names when given.
 */
export async function checkRecoveryCode(
  q: Queryable,
  userId: string,
  code: string,
  consume: boolean,
  methodId?: string,
): Promise<boolean> {
  if (!isRecoveryCodeFormat(code)) return false;
  const setId = await recoveryCodeSetOf(q, userId, methodId ?? null);
  if (!setId) return false;
  const hash = recoveryCodeHash(setId, code);
  if (!consume) return isRecoveryCodeUnused(q, setId, hash);
  if (!(await spendRecoveryCode(q, setId, hash))) return false;
  await touchMethod(q, setId);
  return true;
}

/** A fresh set of recovery codes replaces the user's old one; answers the codes, shown this once. */
export async function replaceRecoveryCodes(q: Queryable, userId: string): Promise<string[]> {
  await deleteRecoveryCodeSet(q, userId);
  const setId = await insertRecoveryCodeSet(q, userId);
  const codes = newRecoveryCodes();
  await insertRecoveryCodes(
    q,
    setId,
    codes.map((c) => recoveryCodeHash(setId, c)),
  );
  return codes;
}
