import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { ConsoleClientsService } from './console-clients.service.js';
import { ConsoleController } from './console.controller.js';

/**
 * The admin console of API.md section 14: serves the single-page app built from ./app (by vite,
 * into dist/console) under /console and keeps every tenant's reserved client `console:<tenantId>`
 * in step with PUBLIC_URL. A feature: it imports identity (the client store) and nothing else; the
 * app itself talks to the service only through the documented routes, with the SDK.
 */
@Module({
  imports: [IdentityModule],
  controllers: [ConsoleController],
  providers: [ConsoleClientsService],
})
export class ConsoleModule {}
