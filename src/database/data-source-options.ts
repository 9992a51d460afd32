import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations/index.js';

/** Connection settings shared by the app and the TypeORM CLI. `synchronize` is never on. */
export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrations: [...MIGRATIONS],
    migrationsTransactionMode: 'each',
    // A request must answer 503 within 5 s while the database is unreachable, never hang.
    extra: {
      max: poolSize,
      connectionTimeoutMillis: 3000,
      query_timeout: 4500,
      keepAlive: true,
      application_name: 'auth-bff',
    },
  };
}
