// Provisioning through the admin routes (API.md section 1) with the admin key: a tenant, a role,
// a confidential client, the users and a headless token.
import { randomBytes } from 'node:crypto';
import { call, expectOk, mapLimit, required } from './http.js';

export interface BenchUser {
  email: string;
  password: string;
}

export interface Seed {
  tenantId: string;
  client: { clientId: string; clientSecret: string };
  users: BenchUser[];
  headlessToken: string;
}

export async function provision(base: string, adminKey: string, userCount: number): Promise<Seed> {
  const create = (path: string, body: unknown) =>
    expectOk(call(base, 'POST', path, { body, token: adminKey }), `POST ${path}`);
  const suffix = randomBytes(4).toString('hex');
  const tenant = await create('/admin/tenants', { key: `bench-${suffix}`, name: 'Benchmark tenant' });
  const tenantId = required(tenant, 'id', 'POST /admin/tenants');
  await create('/admin/roles', { tenantId, name: 'member', permissions: ['ViewProfile'] });
  const client = {
    clientId: `bench-client-${suffix}`,
    clientSecret: randomBytes(32).toString('base64url'),
  };
  await create('/admin/clients', {
    ...client,
    name: 'Benchmark client',
    tenantId,
    redirectUrls: ['https://bench.example.com/callback'],
  });
  const password = `Violet-${randomBytes(6).toString('hex')}-Harbour`;
  const users = await mapLimit(
    Array.from({ length: userCount }, (_, i) => i),
    4,
    async (i) => {
      const email = `bench-${suffix}-${i}@example.com`;
      await create('/admin/users', { email, username: email, password, tenantId, role: 'member' });
      return { email, password };
    },
  );
  const headless = await create('/admin/headless-tokens', { tenantId, name: 'bench' });
  return {
    tenantId,
    client,
    users,
    headlessToken: required(headless, 'token', 'POST /admin/headless-tokens'),
  };
}
