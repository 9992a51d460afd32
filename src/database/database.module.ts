import { Global, Logger, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { connectionOptions, poolOptions } from './connection.js';
import { Db } from './db.js';
import { runMigrations } from './migrate.js';

/** Start-up tries to reach the database (and migrate) this many times, this far apart. */
const START_ATTEMPTS = 3;
const START_RETRY_DELAY_MS = 1000;

/**
 * Opens `Db`'s pool once the database answers and, unless DATABASE_MIGRATIONS_RUN=false, the
 * pending migrations are applied (under a lock: see migrate.ts). `Db` is an async provider, so
 * nothing that uses the database is created, and the app serves nothing, before that is done.
 * A failed attempt is retried, twice, a second apart; then the start-up fails with its error.
 */
async function openDatabase(config: AppConfig): Promise<Db> {
  const logger = new Logger('Database');
  const db = new Db(poolOptions(config.databaseUrl!, config.databasePoolSize));
  for (let attempt = 1; ; attempt++) {
    try {
      if (config.migrationsRun) {
        await runMigrations(connectionOptions(config.databaseUrl!), { log: (line) => logger.log(line) });
      } else {
        await db.exec('SELECT 1');
      }
      return db;
    } catch (err) {
      logger.error(
        `Unable to connect to the database${config.migrationsRun ? ' or to migrate it' : ''}: ` +
          `${(err as Error).message}. ${attempt < START_ATTEMPTS ? `Retrying (${attempt})...` : 'Giving up.'}`,
      );
      if (attempt >= START_ATTEMPTS) {
        await db.end().catch(() => undefined);
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, START_RETRY_DELAY_MS));
    }
  }
}

/** `Db`, the service's one way to its database (see db.ts). */
@Global()
@Module({
  providers: [{ provide: Db, inject: [APP_CONFIG], useFactory: openDatabase }],
  exports: [Db],
})
export class DatabaseModule {}
