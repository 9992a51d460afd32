// The bound of the service's start-up: the smallest Nest application on the same framework and
// node_modules (Nest core, the Fastify adapter the service uses), one route. The bench spawns it
// with PORT and times spawn to its first 200, as it does for the service's GET /health/ready.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

@Controller()
class PingController {
  @Get()
  ping(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [PingController] })
class MinimalModule {}

const app = await NestFactory.create(MinimalModule, new FastifyAdapter(), { logger: false });
await app.listen(Number(process.env.PORT), '127.0.0.1');
const shutdown = () => void app.close().finally(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
