import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source-options.js';

/**
 * The DataSource of the TypeORM CLI (`npm run migration:run`, after `npm run build`).
 * The service itself applies migrations at start-up; this is for operators who prefer a separate step.
 */
if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is required for the TypeORM CLI');
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL));
