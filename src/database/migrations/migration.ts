/**
 * What a migration runs its statements on: the transaction the runner (../migrate.ts) opened for
 * it. Only `query` exists; a migration is SQL, nothing else.
 */
export interface MigrationQueries {
  query(sql: string, params?: readonly unknown[]): Promise<unknown>;
}

/**
 * One schema change, a class named `<What><13-digit timestamp>` whose `name` is that class name:
 * the runner orders migrations by the timestamp and records the name once applied. `down` undoes
 * `up` (for `npm run migration:revert`). Never edited once released.
 */
export interface Migration {
  readonly name: string;
  up(q: MigrationQueries): Promise<void>;
  down(q: MigrationQueries): Promise<void>;
}

/** A migration's class, as listed in MIGRATIONS (./index.ts). */
export type MigrationClass = new () => Migration;
