import { connectionOptions } from '../database/connection.js';
import { revertLastMigration, runMigrations } from '../database/migrate.js';
import type { CliCommand } from './commands.js';

/**
 * The schema migrations as a deploy step of their own (`npm run migration:run` /
 * `migration:revert` call these): on the database alone, without starting the application, so
 * they also work with DATABASE_MIGRATIONS_RUN=false on a database not migrated yet, and need no
 * other variable than DATABASE_URL.
 */
export const MIGRATION_COMMANDS: Record<string, CliCommand> = {
  'migrations:run': {
    usage: 'migrations:run',
    summary:
      'Apply the pending database migrations, as the service does at start-up unless DATABASE_MIGRATIONS_RUN=false ' +
      '(under the same lock, so it is safe while instances start); prints the names applied',
    options: {},
    flags: {},
    async run(_v, _connect, _input, databaseUrl) {
      return { applied: await runMigrations(connectionOptions(await databaseUrl())) };
    },
  },

  'migrations:revert': {
    usage: 'migrations:revert',
    summary:
      'Revert the migration applied last (its down step), e.g. before going back to the previous version; ' +
      'prints its name (null when none is applied)',
    options: {},
    flags: {},
    async run(_v, _connect, _input, databaseUrl) {
      return { reverted: (await revertLastMigration(connectionOptions(await databaseUrl()))) ?? null };
    },
  },
};
