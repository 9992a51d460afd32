import { randomBytes } from 'node:crypto';
import {
  ProvisioningService,
  CreateClientInput,
  CreateUserInput,
} from '../../src/identity/provisioning.service.js';
import type { TestApp } from './test-app.js';

export const STRONG_PASSWORD = 'Violet-Harbour-Lantern-42';

export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * A tenant with a role, a confidential client and an active user, created through the same
 * provisioning service the admin routes use (real database, no shortcuts around the rules).
 */
export async function seedTenant(
  t: TestApp,
  options: {
    permissions?: string[];
    client?: Partial<CreateClientInput>;
    user?: Partial<CreateUserInput>;
  } = {},
) {
  const provisioning = t.app.get(ProvisioningService);
  const tenant = await provisioning.createTenant({ key: unique('tenant'), name: 'Test tenant' });
  const role = await provisioning.createRole({
    tenantId: tenant.id,
    name: 'member',
    permissions: options.permissions ?? ['ViewProfile'],
  });
  const { client, clientSecret } = await provisioning.createClient({
    clientId: unique('client'),
    name: 'Test client',
    tenantId: tenant.id,
    redirectUrls: ['https://app.example.com/callback'],
    allowedOrigins: ['https://app.example.com'],
    ...options.client,
  });
  const email = `${unique('user')}@example.com`;
  const { user, membership } = await provisioning.createUser({
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
