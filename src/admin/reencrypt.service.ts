import { sealedAt, type SecretBox } from '../common/crypto/secret-box.js';
import type { Queryable } from '../database/db.js';
import { resealValue, SealedColumn, staleSealedValues } from './reencrypt.queries.js';

/**
 * Every column that holds a value sealed with ENCRYPTION_KEY (`grep -rn "box.encrypt" src`), and
 * the key its values are bound to (`sealedAt(table, column, key)`: the services seal each value for
 * its row). A new sealed column must be added here, or `reencrypt` leaves it under the previous key.
 */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'signing_key', key: 'kid', keyType: 'varchar', column: 'private_key_enc' },
  { table: 'session', key: 'id', keyType: 'uuid', column: 'ip_address_enc' },
  { table: 'login_activity', key: 'id', keyType: 'uuid', column: 'token_payload_enc' },
  { table: 'login_activity', key: 'id', keyType: 'uuid', column: 'ip_address_enc' },
  { table: 'one_time_token', key: 'id', keyType: 'uuid', column: 'data_enc' },
  { table: 'notification_outbox', key: 'id', keyType: 'uuid', column: 'recipient_enc' },
  { table: 'notification_outbox', key: 'id', keyType: 'uuid', column: 'data_enc' },
  { table: 'mfa_method', key: 'id', keyType: 'uuid', column: 'secret_enc' },
  { table: 'social_provider_token', key: 'credential_id', keyType: 'uuid', column: 'tokens_enc' },
];

export interface ReencryptCount {
  /** Sealed under an older key and now sealed under ENCRYPTION_KEY. */
  rewritten: number;
  /** Changed by the service between read and write (e.g. an outbox row sent): left to the service. */
  skipped: number;
  /** Sealed under a key that is neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS, or corrupt. */
  unreadable: number;
}

export interface ReencryptReport {
  /** `table.column` -> counts. */
  columns: Record<string, ReencryptCount>;
  rewritten: number;
  unreadable: number;
}

/**
 * Rewrites every value sealed under an older key (ENCRYPTION_KEY_PREVIOUS) under ENCRYPTION_KEY,
 * and every `v1` value (sealed before values were bound to their row) as a `v2` value bound to
 * its row and column.
 *
 * Safe while instances serve: it reads a batch of stale rows (keyset-paginated by primary key, so
 * each row is visited once and unreadable rows do not loop), and writes each one back with a
 * compare-and-set (`WHERE key = $k AND column = $old`): a value the service changed meanwhile
 * (rotated, cleared, deleted) is left alone. Idempotent: a second run finds nothing stale.
 * Instances must already run with ENCRYPTION_KEY = the new key (and the old one as
 * ENCRYPTION_KEY_PREVIOUS), so nothing new is written under the old key while this runs.
 */
export class ReencryptService {
  constructor(
    private readonly db: Queryable,
    private readonly box: SecretBox,
    private readonly batchSize = 500,
  ) {}

  async run(): Promise<ReencryptReport> {
    // The `v2.<key id>.` prefix every value sealed now starts with: anything else is rewritten.
    const currentPrefix = this.box.currentPrefix();
    const report: ReencryptReport = { columns: {}, rewritten: 0, unreadable: 0 };
    for (const spec of SEALED_COLUMNS) {
      const count = await this.column(spec, currentPrefix);
      report.columns[`${spec.table}.${spec.column}`] = count;
      report.rewritten += count.rewritten;
      report.unreadable += count.unreadable;
    }
    return report;
  }

  private async column(spec: SealedColumn, currentPrefix: string): Promise<ReencryptCount> {
    const { table, column } = spec;
    const count: ReencryptCount = { rewritten: 0, skipped: 0, unreadable: 0 };
    let after: string | null = null;
    for (;;) {
      const rows = await staleSealedValues(this.db, spec, currentPrefix, after, this.batchSize);
      if (rows.length === 0) return count;
      after = rows[rows.length - 1]!.k;
      for (const row of rows) {
        if (!this.box.isStale(row.v)) continue;
        let resealed: string;
        try {
          // Opened and sealed again for the same row: a value moved from another row stays unreadable.
          const at = sealedAt(table, column, row.k);
          resealed = this.box.encrypt(this.box.decryptBuffer(row.v, at), at);
        } catch {
          count.unreadable++;
          continue;
        }
        if (await resealValue(this.db, spec, row.k, row.v, resealed)) count.rewritten++;
        else count.skipped++;
      }
    }
  }
}
