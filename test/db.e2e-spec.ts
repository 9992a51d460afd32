import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db, isUniqueViolation, prepared, sqlState } from '../src/database/db.js';
import { createTestApp, freshDatabase, TestApp } from './support/test-app.js';
import { until } from './support/wait.js';

describe('Db: the one data-access entry point', () => {
  let t: TestApp;
  let db: Db;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(Db);
    await db.exec(`CREATE TABLE db_spec (id int PRIMARY KEY, label text NOT NULL)`);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs plain and named (prepared) statements, answering rows and row counts', async () => {
    const insert = prepared(
      'db_spec.insert',
      `INSERT INTO db_spec (id, label) VALUES ($1, $2) RETURNING id, label`,
    );
    expect(await db.row(insert, [1, 'one'])).toEqual({ id: 1, label: 'one' });
    expect(await db.rows(insert, [2, 'two'])).toEqual([{ id: 2, label: 'two' }]);
    expect(await db.exec(`UPDATE db_spec SET label = upper(label) WHERE id <= $1`, [2])).toBe(2);
    expect(await db.rows(`SELECT label FROM db_spec ORDER BY id`)).toEqual([
      { label: 'ONE' },
      { label: 'TWO' },
    ]);
    expect(await db.row(`SELECT label FROM db_spec WHERE id = $1`, [99])).toBeUndefined();
    // The name reaches the server: on one connection, a second text under the same name is refused.
    await expect(
      db.transaction(async (tx) => {
        await tx.row(insert, [3, 'three']);
        await tx.row(prepared('db_spec.insert', 'SELECT 1'));
      }),
    ).rejects.toThrow(/Prepared statements must be unique/);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.transaction(async (tx) => {
      await tx.exec(`INSERT INTO db_spec (id, label) VALUES (10, 'kept')`);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.exec(`INSERT INTO db_spec (id, label) VALUES (11, 'dropped')`);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await db.rows(`SELECT id FROM db_spec WHERE id >= 10 ORDER BY id`)).toEqual([{ id: 10 }]);
  });

  it('tells a unique violation and its constraint by SQLSTATE', async () => {
    const err = await db
      .exec(`INSERT INTO db_spec (id, label) VALUES (10, 'again')`)
      .catch((e: unknown) => e);
    expect(sqlState(err)).toBe('23505');
    expect(isUniqueViolation(err)).toBe(true);
    expect(isUniqueViolation(err, 'db_spec_pkey')).toBe(true);
    expect(isUniqueViolation(err, 'other_constraint')).toBe(false);
    expect(isUniqueViolation(new Error('no code'))).toBe(false);
  });

  it('keeps the pool usable after a failed transaction', async () => {
    for (let i = 0; i < 15; i++) {
      await db
        .transaction(async (tx) => {
          await tx.exec(`SELECT 1/0`);
        })
        .catch(() => undefined);
    }
    expect(await db.row(`SELECT 1 AS one`)).toEqual({ one: 1 });
  });
});

describe('the pool of Db', () => {
  it('opens its connections under the service name, and app.close() ends them all', async () => {
    const db = await freshDatabase();
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    const connections = async () =>
      (
        await watcher.query<{ application_name: string }>(
          `SELECT application_name FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        )
      ).rows.map((r) => r.application_name);
    try {
      const t = await createTestApp({}, { databaseUrl: db.url });
      await Promise.all([1, 2, 3].map(() => t.app.get(Db).rows('SELECT pg_sleep(0.05)')));
      // The pool's connections and the LISTEN one, all named after the service.
      expect((await connections()).length).toBeGreaterThanOrEqual(2);
      expect(new Set(await connections())).toEqual(new Set(['auth-bff']));
      await t.close();
      await until(async () => (await connections()).length === 0, 5000, 50);
    } finally {
      await watcher.end();
      await db.drop();
    }
  });
});
