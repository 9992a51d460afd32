import type { DataSource } from 'typeorm';

/** Any fixed 64-bit number: the advisory lock every instance takes around migrations. */
const MIGRATION_LOCK = 7_263_514_902;

/**
 * Applies pending migrations under a Postgres advisory lock, so several instances starting at
 * once do not race (TypeORM's runner takes no lock): the first migrates, the others wait and then
 * find nothing to do.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
