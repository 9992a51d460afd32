import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { dataSourceOptions } from './data-source-options.js';
import { Db } from './db.js';
import { runMigrationsLocked } from './migrate.js';

/**
 * TypeORM over pg connects and migrates (under a lock, at start-up, unless
 * DATABASE_MIGRATIONS_RUN=false); `Db` runs every statement of the service on its pool.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.databaseUrl!, config.databasePoolSize),
        autoLoadEntities: true,
        migrationsRun: config.migrationsRun,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
      dataSourceFactory: async (options?: DataSourceOptions) => {
        const { migrationsRun, ...rest } = options as DataSourceOptions & { migrationsRun?: boolean };
        const dataSource = await new DataSource({
          ...rest,
          migrationsRun: false,
        } as DataSourceOptions).initialize();
        if (migrationsRun) await runMigrationsLocked(dataSource);
        return dataSource;
      },
    }),
  ],
  providers: [Db],
  exports: [Db],
})
export class DatabaseModule {}
