import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { connectionOptions } from '../src/database/connection.js';
import {
  MIGRATION_LOCK,
  revertLastMigration,
  runMigrations,
  sourceMigrations,
} from '../src/database/migrate.js';
import { MIGRATIONS } from '../src/database/migrations/index.js';
import type { Migration, MigrationClass, MigrationQueries } from '../src/database/migrations/migration.js';
import { freshDatabase } from './support/test-app.js';

/**
 * The migration runner (src/database/migrate.ts) on databases of its own: the `migrations` table
 * stays TypeORM's (a database TypeORM migrated is taken as it is), the lock, one transaction per
 * migration, the revert, and the CLI commands that run them.
 */

/** TypeORM 1.1's DDL of `migrations` (MigrationExecutor.createMigrationsTableIfNotExist on PostgreSQL). */
const TYPEORM_MIGRATIONS_TABLE = `CREATE TABLE "migrations" ("id" SERIAL NOT NULL, "timestamp" bigint NOT NULL,
  "name" character varying NOT NULL, CONSTRAINT "PK_8c82d7f526340ab734260ea46be" PRIMARY KEY ("id"))`;

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop().catch(() => undefined);
});

let url: string;
let client: pg.Client;
beforeEach(async () => {
  const db = await freshDatabase();
  drops.push(db.drop);
  url = db.url;
  client = new pg.Client({ connectionString: url });
  await client.connect();
});
afterEach(async () => {
  await client.end();
});

const rows = async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[];
const recorded = () =>
  rows<{ id: number; timestamp: string; name: string }>('SELECT * FROM migrations ORDER BY id');
const tableExists = async (name: string) =>
  (await rows<{ t: string | null }>('SELECT to_regclass($1) AS t', [name]))[0]!.t !== null;

/** A migration class of this test: creates (and drops) table `<table>`, or fails in `up`. */
function migration(name: string, table: string, fail = false): MigrationClass {
  return class implements Migration {
    name = name;
    async up(q: MigrationQueries): Promise<void> {
      await q.query(`CREATE TABLE ${table} (id int)`);
      if (fail) await q.query('SELECT 1/0');
    }
    async down(q: MigrationQueries): Promise<void> {
      await q.query(`DROP TABLE ${table}`);
    }
  };
}

describe('the migration runner', () => {
  it('applies nothing on a database TypeORM migrated, and leaves its migrations table as it was', async () => {
    await client.query(TYPEORM_MIGRATIONS_TABLE);
    for (const m of sourceMigrations()) {
      await client.query('INSERT INTO migrations ("timestamp", name) VALUES ($1, $2)', [m.timestamp, m.name]);
    }
    const before = await recorded();

    expect(await runMigrations(connectionOptions(url))).toEqual([]);
    expect(await recorded()).toEqual(before);
    // Nothing ran: the first migration's tables are not there.
    expect(await tableExists('tenant')).toBe(false);
  });

  it('creates the migrations table as TypeORM did and records every migration in order', async () => {
    const applied = await runMigrations(connectionOptions(url));
    const names = MIGRATIONS.map((M) => new M().name);
    expect(applied).toEqual(names);
    expect(await recorded()).toEqual(
      names.map((name, i) => ({ id: i + 1, timestamp: name.slice(-13), name })),
    );
    expect(
      await rows(
        `SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
          WHERE table_name = 'migrations' ORDER BY ordinal_position`,
      ),
    ).toEqual([
      {
        column_name: 'id',
        data_type: 'integer',
        is_nullable: 'NO',
        column_default: "nextval('migrations_id_seq'::regclass)",
      },
      { column_name: 'timestamp', data_type: 'bigint', is_nullable: 'NO', column_default: null },
      { column_name: 'name', data_type: 'character varying', is_nullable: 'NO', column_default: null },
    ]);
    expect(
      await rows(`SELECT conname, contype FROM pg_constraint WHERE conrelid = 'migrations'::regclass`),
    ).toEqual([{ conname: 'PK_8c82d7f526340ab734260ea46be', contype: 'p' }]);
    expect(await tableExists('passkey_credential')).toBe(true);
    expect(await runMigrations(connectionOptions(url))).toEqual([]);
  });

  it('applies only the pending ones, oldest first, whatever order they are listed in', async () => {
    const a = migration('A1700000000000', 'mig_a');
    const b = migration('B1700000001000', 'mig_b');
    const c = migration('C1700000002000', 'mig_c');
    expect(await runMigrations(connectionOptions(url), { migrations: [b, a] })).toEqual([
      'A1700000000000',
      'B1700000001000',
    ]);
    expect(await runMigrations(connectionOptions(url), { migrations: [c, a, b] })).toEqual([
      'C1700000002000',
    ]);
    expect((await recorded()).map((r) => r.name)).toEqual([
      'A1700000000000',
      'B1700000001000',
      'C1700000002000',
    ]);
  });

  it('runs each migration in its own transaction: a failing one leaves nothing, those before it stay', async () => {
    const a = migration('A1700000000000', 'mig_a');
    const broken = migration('Broken1700000001000', 'mig_broken', true);
    const c = migration('C1700000002000', 'mig_c');
    await expect(runMigrations(connectionOptions(url), { migrations: [a, broken, c] })).rejects.toThrow(
      /division by zero/,
    );
    expect((await recorded()).map((r) => r.name)).toEqual(['A1700000000000']);
    expect(await tableExists('mig_a')).toBe(true);
    expect(await tableExists('mig_broken')).toBe(false);
    expect(await tableExists('mig_c')).toBe(false);
    // The lock was let go: the next run (the migration fixed) gets it at once.
    const fixed = migration('Broken1700000001000', 'mig_broken');
    expect(await runMigrations(connectionOptions(url), { migrations: [a, fixed, c] })).toEqual([
      'Broken1700000001000',
      'C1700000002000',
    ]);
  });

  it('waits for the advisory lock, so concurrent runs apply each migration once', async () => {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      const list = [migration('A1700000000000', 'mig_a'), migration('B1700000001000', 'mig_b')];
      const runs = [1, 2, 3].map(() => runMigrations(connectionOptions(url), { migrations: list }));
      await new Promise((r) => setTimeout(r, 300));
      expect(await tableExists('mig_a')).toBe(false); // all three wait
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      const applied = await Promise.all(runs);
      expect(applied.flat().sort()).toEqual(['A1700000000000', 'B1700000001000']);
      expect((await recorded()).length).toBe(2);
    } finally {
      await holder.end();
    }
  });

  it('reverts the migration recorded last, and answers undefined when none is', async () => {
    const a = migration('A1700000000000', 'mig_a');
    const b = migration('B1700000001000', 'mig_b');
    const options = { migrations: [a, b] };
    expect(await revertLastMigration(connectionOptions(url), options)).toBeUndefined();
    await runMigrations(connectionOptions(url), options);
    expect(await revertLastMigration(connectionOptions(url), options)).toBe('B1700000001000');
    expect(await tableExists('mig_b')).toBe(false);
    expect((await recorded()).map((r) => r.name)).toEqual(['A1700000000000']);
    expect(await runMigrations(connectionOptions(url), options)).toEqual(['B1700000001000']);
    // A recorded migration the code does not have is not guessed at.
    await expect(revertLastMigration(connectionOptions(url), { migrations: [a] })).rejects.toThrow(
      /B1700000001000, is not in this version's code/,
    );
  });

  it('refuses a migration name without its timestamp, and a migration listed twice', () => {
    expect(() => sourceMigrations([migration('NoTimestamp', 't')])).toThrow(/13-digit timestamp/);
    const a = migration('A1700000000000', 'mig_a');
    expect(() => sourceMigrations([a, a])).toThrow(/listed twice/);
  });

  it('is run and reverted by the CLI commands behind `npm run migration:run` / `migration:revert`', async () => {
    const cli = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await runCli(
        argv,
        { out: (s) => (out += s), err: (s) => (err += s) },
        () => Promise.reject(new Error('the migration commands boot no application')),
        async () => url,
      );
      expect(err).toBe('');
      expect(code).toBe(0);
      return JSON.parse(out) as unknown;
    };
    const last = new MIGRATIONS[MIGRATIONS.length - 1]!().name;
    expect(await cli('migrations:run')).toEqual({ applied: MIGRATIONS.map((M) => new M().name) });
    expect(await cli('migrations:revert')).toEqual({ reverted: last });
    expect(await cli('migrations:run')).toEqual({ applied: [last] });
    expect(await cli('migrations:run')).toEqual({ applied: [] });
  });
});
