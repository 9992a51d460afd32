import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { sql, TestApp } from './test-app.js';

/** SHA-256 of a string, as the service stores opaque tokens. */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Asserts that a clear token is stored only as its hash: exactly one row of `table` has
 * `expectedHash` in `hashColumn` (so the hash is really there: a test that finds nothing cannot
 * pass), and no column of that row holds the clear token, as text or as bytes (a bytea column
 * shows as hex in JSON, so the token's hex is looked for too). `alsoAbsent` lists other secrets
 * the row must not show in clear (an email kept in sealed data, ...).
 */
export async function expectStoredOnlyAsHash(
  t: TestApp,
  table: string,
  hashColumn: string,
  expectedHash: Buffer,
  clear: string,
  alsoAbsent: string[] = [],
): Promise<void> {
  const rows = await sql<{ row: string }>(
    t,
    `SELECT row_to_json(x)::text AS row FROM ${table} x WHERE ${hashColumn} = $1`,
    [expectedHash],
  );
  expect(rows, `one ${table} row with the token's hash`).toHaveLength(1);
  const row = rows[0]!.row;
  for (const secret of [clear, ...alsoAbsent]) {
    expect(row).not.toContain(secret);
    expect(row).not.toContain(Buffer.from(secret, 'utf8').toString('hex'));
  }
}
