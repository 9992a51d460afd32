import { randomBytes } from 'node:crypto';
import { ClientsService } from '../../src/identity/clients.service.js';
import type { CreateClientInput, CreateUserInput } from '../../src/identity/identity.types.js';
import { MembershipsService } from '../../src/identity/memberships.service.js';
import { RolesService } from '../../src/identity/roles.service.js';
import { TenantsService } from '../../src/identity/tenants.service.js';
import { UsersService } from '../../src/identity/users.service.js';
import type { TestApp } from './test-app.js';

export const STRONG_PASSWORD = 'Violet-Harbour-Lantern-42';

export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * The identity services the admin routes use, to provision test data through (real database, no
 * shortcuts around the rules).
 */
export function provisioningOf(t: TestApp) {
  return {
    tenants: t.app.get(TenantsService),
    roles: t.app.get(RolesService),
    clients: t.app.get(ClientsService),
    users: t.app.get(UsersService),
    memberships: t.app.get(MembershipsService),
  };
}

export type Provisioning = ReturnType<typeof provisioningOf>;

/**
 * A tenant with a role, a confidential client and an active user, created through the same
 * identity services the admin routes use (real database, no shortcuts around the rules).
 */
export async function seedTenant(
  t: TestApp,
  options: {
    permissions?: string[];
    client?: Partial<CreateClientInput>;
    user?: Partial<CreateUserInput>;
  } = {},
) {
  const provisioning = provisioningOf(t);
  const tenant = await provisioning.tenants.createTenant({ key: unique('tenant'), name: 'Test tenant' });
  const role = await provisioning.roles.createRole({
    tenantId: tenant.id,
    name: 'member',
    permissions: options.permissions ?? ['ViewProfile'],
  });
  const { client, clientSecret } = await provisioning.clients.createClient({
    clientId: unique('client'),
    name: 'Test client',
    tenantId: tenant.id,
    redirectUrls: ['https://app.example.com/callback'],
    allowedOrigins: ['https://app.example.com'],
    ...options.client,
  });
  const email = `${unique('user')}@example.com`;
  const { user, membership } = await provisioning.users.createUser({
    email,
    username: email,
    password: STRONG_PASSWORD,
    tenantId: tenant.id,
    role: 'member',
    ...options.user,
  });
  return {
    provisioning,
    tenant,
    role,
    client,
    clientSecret: clientSecret ?? undefined,
    user,
    membership,
    email,
    password: STRONG_PASSWORD,
  };
}

export type Seed = Awaited<ReturnType<typeof seedTenant>>;

/** The login body of API.md section 2 for a seeded user. */
export function loginBody(seed: Seed, overrides: Record<string, unknown> = {}) {
  return {
    client_id: seed.client.clientId,
    client_secret: seed.clientSecret,
    username: seed.email,
    password: seed.password,
    ...overrides,
  };
}
