import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { createHttpAdapter } from './common/http/configure-app.js';
import { buildOpenApiDocument } from './common/http/swagger.js';
import { loadConfig } from './config/config.js';

/**
 * Writes openapi.json at the repository root without a database: the app graph is built in
 * preview mode (no provider is instantiated, nothing connects).
 */
async function main(): Promise<void> {
  const config = loadConfig({
    DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
    ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
  });
  const app = await NestFactory.create(AppModule.forRoot(config), createHttpAdapter(config), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  const document = buildOpenApiDocument(app);
  writeFileSync(process.argv[2] ?? 'openapi.json', `${JSON.stringify(document, null, 2)}\n`);
  await app.close().catch(() => undefined);
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
