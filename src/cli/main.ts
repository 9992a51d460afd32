import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/config.js';
import { url } from '../config/env.js';
import { prepareRuntime, Runtime } from '../database/runtime.js';
import { runCli } from './run.js';
import { processIO } from './terminal.js';

/**
 * `npm run -s cli -- <command>`: loads the configuration like src/main.ts (the embedded database when
 * DATABASE_URL is unset), opens an application context without HTTP (once, for the commands that
 * need it), runs one command, exits.
 */
async function main(): Promise<number> {
  let runtime: Promise<Runtime> | undefined;
  let app: Promise<INestApplicationContext> | undefined;
  const prepare = () => (runtime ??= prepareRuntime(loadConfig(), () => undefined));
  const connect = () =>
    (app ??= prepare().then(({ config }) =>
      NestFactory.createApplicationContext(AppModule.forRoot(config), {
        logger: ['error'],
        // Throw instead of aborting the process, so a start-up failure prints as `CODE: message`.
        abortOnError: false,
      }),
    ));
  // The migration commands need the database alone: DATABASE_URL is enough.
  const databaseUrl = async () =>
    url(process.env, 'DATABASE_URL', ['postgres:', 'postgresql:']) ?? (await prepare()).config.databaseUrl!;
  try {
    return await runCli(process.argv.slice(2), processIO(), connect, databaseUrl);
  } finally {
    await (await app?.catch(() => undefined))?.close().catch(() => undefined);
    await (await runtime?.catch(() => undefined))?.stop().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`INTERNAL_ERROR: ${err.message}\n`);
    process.exit(1);
  },
);
