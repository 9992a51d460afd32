import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/config.js';
import { prepareRuntime, Runtime } from '../database/runtime.js';
import { runCli } from './run.js';
import { processIO } from './terminal.js';

/**
 * `npm run -s cli -- <command>`: loads the configuration like src/main.ts (the embedded database when
 * DATABASE_URL is unset), opens an application context without HTTP, runs one command, exits.
 */
async function main(): Promise<number> {
  let runtime: Runtime | undefined;
  let app: INestApplicationContext | undefined;
  const connect = async (): Promise<INestApplicationContext> => {
    runtime = await prepareRuntime(loadConfig(), () => undefined);
    app = await NestFactory.createApplicationContext(AppModule.forRoot(runtime.config), {
      logger: ['error'],
      // Throw instead of aborting the process, so a start-up failure prints as `CODE: message`.
      abortOnError: false,
    });
    return app;
  };
  try {
    return await runCli(process.argv.slice(2), processIO(), connect);
  } finally {
    await app?.close().catch(() => undefined);
    await runtime?.stop().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`INTERNAL_ERROR: ${err.message}\n`);
    process.exit(1);
  },
);
