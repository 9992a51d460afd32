import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { ClientsService } from '../identity/clients.service.js';
import { CONSOLE_CALLBACK_PATH, CONSOLE_SIGNED_OUT_PATH, consoleClientId } from './console-paths.js';

/** A tenant as the console page needs it. */
export interface ConsoleTenant {
  id: string;
  key: string;
  name: string;
}

/**
 * The settings of every reserved console client. The client itself is created for each tenant
 * by the database (migration 1764000009400's trigger, with the URLs of console_client_defaults);
 * its redirect URLs and allowed origin depend on PUBLIC_URL, which may change between restarts, so
 * they are written here: the defaults and every tenant's client at start-up, and one tenant's
 * client again just before its console page is served (when an instance with another PUBLIC_URL
 * wrote them meanwhile). Nothing else in the service knows
 * the console: to the authorization server it is an ordinary public client with PKCE.
 */
const UPSERT = `
  INSERT INTO auth_client (client_id, name, tenant_id, is_public, allow_sign_up,
                           access_token_expiration, refresh_token_expiration, redirect_urls, allowed_origins)
  SELECT 'console:' || t.id, 'Admin console', t.id, true, false, 600, 43200, $1::text[], $2::text[]
  FROM tenant t WHERE $3::uuid IS NULL OR t.id = $3::uuid
  ON CONFLICT (client_id) DO UPDATE SET
    redirect_urls = EXCLUDED.redirect_urls, allowed_origins = EXCLUDED.allowed_origins,
    tenant_id = EXCLUDED.tenant_id, is_public = true, secret_hash = NULL, allow_sign_up = false,
    updated_at = now()
  WHERE auth_client.redirect_urls IS DISTINCT FROM EXCLUDED.redirect_urls
     OR auth_client.allowed_origins IS DISTINCT FROM EXCLUDED.allowed_origins
     OR auth_client.tenant_id <> EXCLUDED.tenant_id OR NOT auth_client.is_public
     OR auth_client.secret_hash IS NOT NULL OR auth_client.allow_sign_up`;

const DEFAULTS = `
  INSERT INTO console_client_defaults (id, redirect_urls, allowed_origins) VALUES (true, $1, $2)
  ON CONFLICT (id) DO UPDATE SET redirect_urls = EXCLUDED.redirect_urls, allowed_origins = EXCLUDED.allowed_origins
  WHERE console_client_defaults.redirect_urls IS DISTINCT FROM EXCLUDED.redirect_urls
     OR console_client_defaults.allowed_origins IS DISTINCT FROM EXCLUDED.allowed_origins`;

@Injectable()
export class ConsoleClientsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Console');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
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
  async findTenant(key: string): Promise<ConsoleTenant | undefined> {
    const found: ConsoleTenant[] = await this.dataSource.query(
      'SELECT id, key, name FROM tenant WHERE lower(key) = lower($1)',
      [key],
    );
    return found[0];
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
    await this.dataSource.transaction(async (m) => {
      // What the tenant trigger gives the console client of every tenant created from now on.
      await m.query(DEFAULTS, [redirectUrls, allowedOrigins]);
      await m.query(UPSERT, [redirectUrls, allowedOrigins, tenantId]);
    });
    this.clients.invalidateOrigins();
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
