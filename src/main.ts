import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { configureApp, createHttpAdapter } from './common/http/configure-app.js';
import { setupSwagger } from './common/http/swagger.js';
import { ConfigError, loadConfig } from './config/config.js';
import { limitHeapGrowth } from './config/heap.js';
import { createLogger } from './config/logger.js';
import { prepareRuntime } from './database/runtime.js';
import { ClientsService } from './identity/clients.service.js';

async function bootstrap(): Promise<void> {
  limitHeapGrowth();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  const runtime = await prepareRuntime(config, (line) => logger.log(line, 'Bootstrap'));
  const app = await NestFactory.create(AppModule.forRoot(runtime.config), createHttpAdapter(runtime.config), {
    bodyParser: false,
    logger,
  });
  const clients = app.get(ClientsService);
  configureApp(app, runtime.config, (origin) => clients.isOriginAllowed(origin));
  setupSwagger(app, runtime.config.publicUrl);
  // On every interface, as Express listened (Fastify's default is localhost only).
  await app.listen(runtime.config.port, '0.0.0.0');
  const port = (app.getHttpServer().address() as { port: number }).port;
  // Without PUBLIC_URL the public URL is http://localhost:<PORT>; with PORT=0 the real port is only known now.
  const publicUrl =
    runtime.config.publicUrl === `http://localhost:${config.port}`
      ? `http://localhost:${port}`
      : runtime.config.publicUrl;
  logger.log(`listening on port ${port}; Swagger UI at ${publicUrl}/api`, 'Bootstrap');
  if (!config.production && !config.smtpUrl) {
    logger.log(
      'SMTP_URL is not set: mail is not sent. Development only: each message (its links and codes) is logged here ' +
        'as it is queued, and waits in the notification_outbox table',
      'Bootstrap',
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: shutting down`, 'Bootstrap');
    await app.close().catch(() => undefined);
    await runtime.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

bootstrap().catch((err: Error) => {
  console.error(`Start-up failed: ${err.message}`);
  process.exit(1);
});
