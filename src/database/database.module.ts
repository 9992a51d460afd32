import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { dataSourceOptions } from './data-source-options.js';
import { runMigrationsLocked } from './migrate.js';

/** TypeORM over pg; migrations applied at start-up (under a lock) unless DATABASE_MIGRATIONS_RUN=false. */
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
})
export class DatabaseModule {}
