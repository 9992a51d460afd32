import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { AppConfig, generateEncryptionKey, parseEncryptionKey } from '../config/config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

export const DEV_DATA_DIR = resolve(process.env.AUTH_DATA_DIR ?? '.data');
const DEV_DATABASE = 'auth';

export interface Runtime {
  config: AppConfig;
  /** Stops what prepareRuntime started (the embedded database). */
  stop(): Promise<void>;
}

/** A dev-only encryption key, kept next to the embedded database it protects. */
function devEncryptionKey(dir: string): Buffer {
  const file = join(dir, 'encryption.key');
  if (!existsSync(file)) writeFileSync(file, generateEncryptionKey(), { mode: 0o600 });
  return parseEncryptionKey(file, readFileSync(file, 'utf8').trim())!;
}

/**
 * Fills what the environment left to us: with no DATABASE_URL (never in production) an embedded
 * PostgreSQL under ./.data with a persisted dev ENCRYPTION_KEY. With DATABASE_URL, ENCRYPTION_KEY
 * must be set; a generated key would make the stored signing keys unreadable after a restart.
 */
export async function prepareRuntime(config: AppConfig, log: (line: string) => void): Promise<Runtime> {
  if (config.databaseUrl) {
    if (!config.encryptionKey) {
      throw new Error('Invalid configuration: ENCRYPTION_KEY is required when DATABASE_URL is set');
    }
    return { config, stop: async () => undefined };
  }
  mkdirSync(DEV_DATA_DIR, { recursive: true });
  log(`DATABASE_URL is not set: starting an embedded PostgreSQL with data in ${DEV_DATA_DIR}`);
  const embedded = await startEmbeddedPostgres({ baseDir: DEV_DATA_DIR, persistent: true, log });
  const client = new pg.Client({ connectionString: embedded.url });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DEV_DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DEV_DATABASE}`);
  } finally {
    await client.end();
  }
  const url = new URL(embedded.url);
  url.pathname = `/${DEV_DATABASE}`;
  return {
    config: {
      ...config,
      databaseUrl: url.toString(),
      encryptionKey: config.encryptionKey ?? devEncryptionKey(DEV_DATA_DIR),
    },
    stop: embedded.stop,
  };
}
