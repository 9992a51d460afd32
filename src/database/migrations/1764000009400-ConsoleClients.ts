import type { Migration, MigrationQueries } from './migration.js';

/**
 * The admin console's reserved OAuth client `console:<tenantId>` (API.md section 14) exists for
 * every tenant: one row per existing tenant now, and a trigger adds it to every tenant created
 * later, whichever path creates the tenant (admin route, CLI, a test's provisioning call). The row
 * is public (PKCE, no secret) and allows no sign-up. Its redirect URLs and allowed origin depend on
 * PUBLIC_URL, which may change between restarts: the console module writes them into
 * `console_client_defaults` (one row) and into every console client at start-up, and again before
 * it serves a tenant's console page (ConsoleClientsService); the trigger copies the defaults into
 * each new client. Deleting the tenant deletes the client (the foreign key cascades).
 */
export class ConsoleClients1764000009400 implements Migration {
  name = 'ConsoleClients1764000009400';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      CREATE TABLE console_client_defaults (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        redirect_urls text[] NOT NULL DEFAULT '{}',
        allowed_origins text[] NOT NULL DEFAULT '{}'
      )`);
    await q.query(`
      CREATE FUNCTION console_client_for_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO auth_client (client_id, name, tenant_id, is_public, allow_sign_up,
                                 access_token_expiration, refresh_token_expiration, redirect_urls, allowed_origins)
        SELECT 'console:' || NEW.id, 'Admin console', NEW.id, true, false, 600, 43200,
               coalesce(d.redirect_urls, '{}'), coalesce(d.allowed_origins, '{}')
        FROM (SELECT 1) one LEFT JOIN console_client_defaults d ON true
        ON CONFLICT (client_id) DO NOTHING;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER tenant_console_client AFTER INSERT ON tenant
      FOR EACH ROW EXECUTE FUNCTION console_client_for_tenant()`);
    await q.query(`
      INSERT INTO auth_client (client_id, name, tenant_id, is_public, allow_sign_up,
                               access_token_expiration, refresh_token_expiration)
      SELECT 'console:' || t.id, 'Admin console', t.id, true, false, 600, 43200 FROM tenant t
      ON CONFLICT (client_id) DO NOTHING`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TRIGGER tenant_console_client ON tenant`);
    await q.query(`DROP FUNCTION console_client_for_tenant()`);
    await q.query(`DROP TABLE console_client_defaults`);
    await q.query(`DELETE FROM auth_client WHERE client_id LIKE 'console:%'`);
  }
}
