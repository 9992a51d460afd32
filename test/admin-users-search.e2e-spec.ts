import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';

const KEY = `Bearer ${TEST_ADMIN_KEY}`;

/** GET /admin/users?search= (the console's user search). */
describe('GET /admin/users?search=', () => {
  let t: TestApp;
  let seed: Seed;
  let other: Seed;
  let manageAuth: string;
  const tag = unique('zq').toLowerCase();

  const list = (query: Record<string, string>, auth = KEY) =>
    t.http.get('/admin/users').query(query).set('Authorization', auth);
  const emails = (res: { body: { email: string }[] }) => res.body.map((u) => u.email).sort();

  beforeAll(async () => {
    t = await createTestApp();
    seed = await seedTenant(t, { permissions: ['ManageAuth'] });
    other = await seedTenant(t);
    const mk = (s: Seed, email: string, extra: Record<string, string> = {}) =>
      s.provisioning.users.createUser({ email, tenantId: s.tenant.id, ...extra });
    await mk(seed, `ada.${tag}@example.com`, { firstName: 'Ada', lastName: 'Lovelace' });
    await mk(seed, `grace-${tag}@example.com`, {
      firstName: 'Grace',
      lastName: 'Hopper',
      username: `gh_${tag}`,
    });
    await mk(seed, `percent%${tag}@example.com`);
    await mk(other, `ada.other-${tag}@example.com`, { firstName: 'Ada' });
    const token = await t.http
      .post('/auth/v2/oauth1/tokens')
      .send({ email: seed.email, password: seed.password, clientId: seed.client.clientId });
    manageAuth = `Bearer ${token.body.accessToken}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('matches part of the email, username, first or last name, in any letter case', async () => {
    expect(emails(await list({ search: tag.toUpperCase() }))).toEqual(
      [
        `ada.${tag}@example.com`,
        `ada.other-${tag}@example.com`,
        `grace-${tag}@example.com`,
        `percent%${tag}@example.com`,
      ].sort(),
    );
    expect(emails(await list({ search: 'LOVELACE' }))).toEqual([`ada.${tag}@example.com`]);
    expect(emails(await list({ search: `gh_${tag}` }))).toEqual([`grace-${tag}@example.com`]);
    expect(emails(await list({ search: 'hopp', tenantId: seed.tenant.id }))).toEqual([
      `grace-${tag}@example.com`,
    ]);
    expect((await list({ search: 'no-such-person-anywhere' })).body).toEqual([]);
  });

  it('takes the search text literally: % and _ are not wildcards', async () => {
    expect(emails(await list({ search: `%${tag}` }))).toEqual([`percent%${tag}@example.com`]);
    expect((await list({ search: '%' })).body.map((u: { email: string }) => u.email)).toEqual([
      `percent%${tag}@example.com`,
    ]);
    expect(
      (await list({ search: '_' })).body.every((u: { email: string; username: string | null }) =>
        `${u.email}${u.username}`.includes('_'),
      ),
    ).toBe(true);
  });

  it("a ManageAuth token finds only its own tenant's members", async () => {
    expect(emails(await list({ search: `ada` }, manageAuth)).filter((e) => e.includes(tag))).toEqual([
      `ada.${tag}@example.com`,
    ]);
    expectError(await list({ search: 'ada', tenantId: other.tenant.id }, manageAuth), 403, 'FORBIDDEN');
  });

  it('refuses an empty or over-long search (422)', async () => {
    expectError(await list({ search: '' }), 422, 'VALIDATION_FAILED');
    expectError(await list({ search: 'x'.repeat(321) }), 422, 'VALIDATION_FAILED');
    expectError(
      await t.http.get('/admin/users?search=a&search=b').set('Authorization', KEY),
      422,
      'VALIDATION_FAILED',
    );
  });
});
