import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Db } from '../database/db.js';
import { ClientsService } from '../identity/clients.service.js';
import { CONSOLE_CALLBACK_PATH, CONSOLE_SIGNED_OUT_PATH, consoleClientId } from './console-paths.js';
import {
  ConsoleTenant,
  findTenantByKey,
  upsertConsoleClientDefaults,
  upsertConsoleClients,
} from './console.queries.js';

/**
 * The settings of every reserved console client. The client itself is created for each tenant
 * by the database (migration 1764000009400's trigger, with the URLs of console_client_defaults);
 * its redirect URLs and allowed origin depend on PUBLIC_URL, which may change between restarts, so
 * they are written here: the defaults and every tenant's client at start-up, and one tenant's
 * client again just before its console page is served (when an instance with another PUBLIC_URL
 * wrote them meanwhile). Nothing else in the service knows
 * the console: to the authorization server it is an ordinary public client with PKCE.
 */
@Injectable()
export class ConsoleClientsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Console');

  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clients: ClientsService,
  ) {}

  /** Where the console's sign-in comes back, and where its sign-out lands: both on PUBLIC_URL. */
  settings(): { redirectUrls: string[]; allowedOrigins: string[] } {
    const base = this.config.publicUrl;
    return {
      redirectUrls: [`${base}${CONSOLE_CALLBACK_PATH}`, `${base}${CONSOLE_SIGNED_OUT_PATH}`],
      allowedOrigins: [new URL(base).origin],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.sync(null);
    } catch (err) {
      // Never a reason not to start: the page of each tenant writes its client again before use.
      this.logger.warn(`Could not update the console clients: ${(err as Error).message}`);
    }
  }

  /** The tenant of a console URL (keys are unique case-insensitively), or undefined. */
  findTenant(key: string): Promise<ConsoleTenant | undefined> {
    return findTenantByKey(this.db, key);
  }

  /**
   * Makes sure the tenant's console client exists with the current settings; answers its clientId.
   * Reads first, so serving the page writes nothing in the usual case.
   */
  async ensure(tenant: ConsoleTenant): Promise<string> {
    const clientId = consoleClientId(tenant.id);
    const { redirectUrls, allowedOrigins } = this.settings();
    const current = await this.clients.findByClientId(clientId);
    const inStep =
      current &&
      current.tenantId === tenant.id &&
      current.isPublic &&
      !current.allowSignUp &&
      current.secretHash === null &&
      sameList(current.redirectUrls, redirectUrls) &&
      sameList(current.allowedOrigins, allowedOrigins);
    if (!inStep) await this.sync(tenant.id);
    return clientId;
  }

  /** Creates missing console clients and brings their settings in step (one tenant, or all). */
  private async sync(tenantId: string | null): Promise<void> {
    const { redirectUrls, allowedOrigins } = this.settings();
    await this.db.transaction(async (tx) => {
      // What the tenant trigger gives the console client of every tenant created from now on.
      await upsertConsoleClientDefaults(tx, redirectUrls, allowedOrigins);
      await upsertConsoleClients(tx, tenantId, redirectUrls, allowedOrigins);
    });
    this.clients.invalidateOrigins();
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
