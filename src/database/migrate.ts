import pg from 'pg';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration, MigrationClass, MigrationQueries } from './migrations/migration.js';

/** Any fixed 64-bit number: the advisory lock every instance takes around migrations. */
export const MIGRATION_LOCK = 7_263_514_902;

/**
 * The table of applied migrations, `migrations`, exactly as TypeORM, which ran the migrations
 * before this runner, created it, so a database migrated by either looks the same: one row per
 * applied migration with the timestamp its name ends with. The primary key's name is TypeORM's
 * generated one ('PK_' + the first 27 hex digits of sha1('migrations_id')).
 */
const CREATE_MIGRATIONS_TABLE =
  'CREATE TABLE "migrations" ("id" SERIAL NOT NULL, "timestamp" bigint NOT NULL, ' +
  '"name" character varying NOT NULL, CONSTRAINT "PK_8c82d7f526340ab734260ea46be" PRIMARY KEY ("id"))';

interface SourceMigration {
  name: string;
  timestamp: number;
  migration: Migration;
}

/** The migrations of the code, oldest first (by the 13-digit timestamp their names end with). */
export function sourceMigrations(classes: readonly MigrationClass[] = MIGRATIONS): SourceMigration[] {
  const seen = new Set<string>();
  return classes
    .map((Class) => {
      const migration = new Class();
      const name = migration.name;
      const digits = /(\d{13})$/.exec(name)?.[1];
      if (!digits) throw new Error(`Migration "${name}": its name must end with a 13-digit timestamp`);
      if (seen.has(name)) throw new Error(`Migration "${name}" is listed twice`);
      seen.add(name);
      return { name, timestamp: Number(digits), migration };
    })
    .sort((a, b) => a.timestamp - b.timestamp);
}

export interface MigrationOptions {
  /** The migrations of the code (default: MIGRATIONS). */
  migrations?: readonly MigrationClass[];
  /** Told each migration applied or reverted. */
  log?: (line: string) => void;
}

/**
 * Applies the pending migrations (those whose name is not in `migrations`), oldest first, each in
 * its own transaction with its row in `migrations`, so a failed one leaves nothing behind and the
 * ones before it applied. Runs under a PostgreSQL advisory lock, so several instances starting at
 * once do not race: the first migrates, the others wait and then find nothing to do. Answers the
 * names applied.
 *
 * Runs on a connection of its own (`connection`: connectionOptions()), not on the pool: no
 * query timeout cuts a long migration, or the wait for another instance's, short.
 */
export async function runMigrations(
  connection: pg.ClientConfig,
  options: MigrationOptions = {},
): Promise<string[]> {
  const source = sourceMigrations(options.migrations);
  return locked(connection, async (client) => {
    const applied = new Set((await executed(client)).map((m) => m.name));
    const done: string[] = [];
    for (const m of source.filter((s) => !applied.has(s.name))) {
      await inTransaction(client, async () => {
        await m.migration.up(queriesOf(client));
        await client.query('INSERT INTO "migrations" ("timestamp", "name") VALUES ($1, $2)', [
          m.timestamp,
          m.name,
        ]);
      });
      options.log?.(`applied migration ${m.name}`);
      done.push(m.name);
    }
    return done;
  });
}

/**
 * Reverts the migration applied last (the newest row of `migrations`) with its `down`, and
 * deletes its row, in one transaction, under the same lock. Answers its name, or undefined when
 * none was applied.
 */
export async function revertLastMigration(
  connection: pg.ClientConfig,
  options: MigrationOptions = {},
): Promise<string | undefined> {
  const source = sourceMigrations(options.migrations);
  return locked(connection, async (client) => {
    const last = (await executed(client))[0];
    if (!last) return undefined;
    const m = source.find((s) => s.name === last.name);
    if (!m) throw new Error(`The last applied migration, ${last.name}, is not in this version's code`);
    await inTransaction(client, async () => {
      await m.migration.down(queriesOf(client));
      await client.query('DELETE FROM "migrations" WHERE "timestamp" = $1 AND "name" = $2', [
        m.timestamp,
        m.name,
      ]);
    });
    options.log?.(`reverted migration ${m.name}`);
    return m.name;
  });
}

/** Runs `work` on a new connection holding the migration lock, with `migrations` in place. */
async function locked<T>(connection: pg.ClientConfig, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(connection);
  // A connection lost while idle between statements is reported by the next statement.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await ensureMigrationsTable(client);
      return await work(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
  } finally {
    // Ending the session also releases the lock, should the unlock above have failed.
    await client.end().catch(() => undefined);
  }
}

/** Creates `migrations` in the current schema unless it is there (TypeORM checked the same way). */
async function ensureMigrationsTable(client: pg.Client): Promise<void> {
  const found = await client.query(
    `SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'migrations'`,
  );
  if (!found.rowCount) await client.query(CREATE_MIGRATIONS_TABLE);
}

/** The applied migrations, newest first. */
async function executed(client: pg.Client): Promise<{ name: string }[]> {
  return (await client.query<{ name: string }>('SELECT "name" FROM "migrations" ORDER BY "id" DESC')).rows;
}

async function inTransaction(client: pg.Client, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await work();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

function queriesOf(client: pg.Client): MigrationQueries {
  return {
    query: async (sql, params) => (await client.query(sql, params as unknown[] | undefined)).rows,
  };
}
