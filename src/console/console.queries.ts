import { Queryable } from '../database/db.js';

/** A tenant as the console page needs it. */
export interface ConsoleTenant {
  id: string;
  key: string;
  name: string;
}

/** The tenant of a console URL (keys are unique case-insensitively), or undefined. */
export function findTenantByKey(q: Queryable, key: string): Promise<ConsoleTenant | undefined> {
  return q.row<ConsoleTenant>('SELECT id, key, name FROM tenant WHERE lower(key) = lower($1)', [key]);
}

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

/** The settings the tenant trigger gives the console client of every tenant created from now on. */
export async function upsertConsoleClientDefaults(
  q: Queryable,
  redirectUrls: string[],
  allowedOrigins: string[],
): Promise<void> {
  await q.exec(DEFAULTS, [redirectUrls, allowedOrigins]);
}

/** Creates the console client of one tenant (or of all, `tenantId` null) or brings its settings in step. */
export async function upsertConsoleClients(
  q: Queryable,
  tenantId: string | null,
  redirectUrls: string[],
  allowedOrigins: string[],
): Promise<void> {
  await q.exec(UPSERT, [redirectUrls, allowedOrigins, tenantId]);
}
