import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { inject } from 'vitest';
import { AppModule } from '../../src/app.module.js';
import { configureApp, createHttpAdapter } from '../../src/common/http/configure-app.js';
import { setupSwagger } from '../../src/common/http/swagger.js';
import { AppConfig, generateEncryptionKey, loadConfig } from '../../src/config/config.js';
import { Db } from '../../src/database/db.js';
import { createDatabase, dropDatabase } from '../../src/database/embedded-postgres.js';
import { ClientsService } from '../../src/identity/clients.service.js';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef0123456789';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** A supertest agent bound to the app's HTTP server. */
  http: ReturnType<typeof request>;
  /** Base URL of the listening server (for clients that need a real URL, e.g. the SDK). */
  baseUrl: string;
  databaseUrl: string;
  close(): Promise<void>;
}

/** Creates an empty database on the test server and answers its URL and a drop function. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const maintenance = inject('maintenanceDatabaseUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const url = await createDatabase(maintenance, name);
  return { url, drop: () => dropDatabase(maintenance, name) };
}

/**
 * Boots the real application (real Postgres, migrations applied) on a fresh database and a free
 * port. `env` overrides the environment the way a deployment would set it.
 */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
  options: { databaseUrl?: string } = {},
): Promise<TestApp> {
  const db = options.databaseUrl
    ? { url: options.databaseUrl, drop: async () => undefined }
    : await freshDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    ENCRYPTION_KEY: generateEncryptionKey(),
    LOG_LEVEL: 'error',
    RATE_LIMIT_PER_IP: '100000',
    RATE_LIMIT_PER_ACCOUNT: '100000',
    RATE_LIMIT_PER_ADDRESS: '100000',
    ...env,
    DATABASE_URL: db.url,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
  const app = moduleRef.createNestApplication(createHttpAdapter(config), {
    bodyParser: false,
    logger: ['error', 'fatal'],
  });
  const clients = app.get(ClientsService);
  configureApp(app, config, (origin) => clients.isOriginAllowed(origin));
  setupSwagger(app, config.publicUrl);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  return {
    app,
    config,
    http: request(app.getHttpServer()),
    baseUrl: `http://127.0.0.1:${port}`,
    databaseUrl: db.url,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}

/** A raw query on the app's own database (to check what is stored, e.g. that secrets are hashed). */
export async function sql<T = Record<string, unknown>>(
  t: TestApp,
  query: string,
  params: unknown[] = [],
): Promise<T[]> {
  return t.app.get(Db).rows<T>(query, params);
}
