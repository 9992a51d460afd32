import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokensService } from '../src/tokens/access-tokens.service.js';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed, unique } from './support/fixtures.js';
import { expectError } from './support/assertions.js';

const KEY = `Bearer ${TEST_ADMIN_KEY}`;

/** A member of a fresh tenant whose role carries ManageAuth, logged in through the real password route. */
async function manageAuth(t: TestApp): Promise<{ seed: Seed; auth: string }> {
  const seed = await seedTenant(t, { permissions: ['ManageAuth'] });
  const res = await t.http.post('/auth/login-token').send(loginBody(seed));
  expect(res.status).toBe(200);
  return { seed, auth: `Bearer ${res.body.accessToken}` };
}

describe('admin routes: authorization, tenants and roles', () => {
  let t: TestApp;
  let admin: { seed: Seed; auth: string };
  let other: Seed;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await manageAuth(t);
    other = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('authorization', () => {
    it('answers 401 UNAUTHORIZED without a Bearer, with a wrong key or a forged token', async () => {
      expectError(await t.http.get('/admin/roles'), 401, 'UNAUTHORIZED');
      expectError(await t.http.get('/admin/roles').set('Authorization', 'Bearer nope'), 401, 'UNAUTHORIZED');
      expectError(
        await t.http.get('/admin/roles').set('Authorization', `Basic ${TEST_ADMIN_KEY}`),
        401,
        'UNAUTHORIZED',
      );
      expectError(
        await t.http.get('/admin/roles').set('Authorization', `Bearer ${TEST_ADMIN_KEY}x`),
        401,
        'UNAUTHORIZED',
      );
      const forged = admin.auth.slice(0, -4) + 'AAAA';
      expectError(await t.http.get('/admin/roles').set('Authorization', forged), 401, 'UNAUTHORIZED');
    });

    it('answers 403 FORBIDDEN for a member token without ManageAuth', async () => {
      const res = await t.http.post('/auth/login-token').send(loginBody(other));
      const list = await t.http.get('/admin/roles').set('Authorization', `Bearer ${res.body.accessToken}`);
      expectError(list, 403, 'FORBIDDEN');
    });

    it('refuses a visitor token with 401, even one carrying ManageAuth', async () => {
      const visitor = t.app.get(AccessTokensService).sign(
        {
          sub: randomUUID(),
          tid: admin.seed.tenant.id,
          cid: admin.seed.client.clientId,
          sid: randomUUID(),
          permissions: ['ManageAuth'],
          extra: { typ: 'visitor' },
        },
        60,
      );
      const res = await t.http.get('/admin/roles').set('Authorization', `Bearer ${visitor.token}`);
      expectError(res, 401, 'UNAUTHORIZED');
    });

    it('refuses a ManageAuth token once its session has ended', async () => {
      const a = await manageAuth(t);
      expect((await t.http.get('/admin/roles').set('Authorization', a.auth)).status).toBe(200);
      const lock = await t.http
        .patch(`/admin/users/${a.seed.user.id}`)
        .set('Authorization', KEY)
        .send({ status: 'LOCKED' });
      expect(lock.status).toBe(200);
      expectError(await t.http.get('/admin/roles').set('Authorization', a.auth), 401, 'UNAUTHORIZED');
    });

    it('is documented in Swagger under the admin bearer scheme', async () => {
      const doc = (await t.http.get('/api-json')).body;
      for (const path of [
        '/admin/tenants',
        '/admin/tenants/{id}',
        '/admin/roles',
        '/admin/roles/{id}',
        '/admin/clients',
        '/admin/clients/{id}',
        '/admin/clients/{id}/secret',
        '/admin/users',
        '/admin/users/{id}',
        '/admin/users/{id}/tenants',
        '/admin/members/{userId}/approve',
      ]) {
        expect(doc.paths[path], path).toBeDefined();
        for (const op of Object.values(doc.paths[path]) as { tags: string[]; security: unknown[] }[]) {
          expect(op.tags).toContain('Admin');
          expect(op.security).toContainEqual({ admin: [] });
        }
      }
      expect(doc.paths['/admin/tenants'].post.responses['201']).toBeDefined();
      expect(doc.paths['/admin/tenants'].post.responses['409']).toBeDefined();
      expect(doc.components.schemas.CreateClientDto.required).toEqual(
        expect.arrayContaining(['clientId', 'name', 'tenantId', 'redirectUrls']),
      );
    });
  });

  describe('tenants', () => {
    it('creates a tenant (201) with a numeric communityId', async () => {
      const key = unique('acme');
      const res = await t.http.post('/admin/tenants').set('Authorization', KEY).send({ key, name: 'Acme' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        key,
        name: 'Acme',
        communityId: expect.any(Number),
        createdAt: expect.stringMatching(/Z$/),
      });
      const again = await t.http
        .post('/admin/tenants')
        .set('Authorization', KEY)
        .send({ key: key.toUpperCase(), name: 'Other' });
      expectError(again, 409, 'TENANT_KEY_EXISTS');
    });

    it('validates the body: 422 for unknown, missing or mistyped fields, 400 for bad JSON', async () => {
      const post = (body: unknown) =>
        t.http
          .post('/admin/tenants')
          .set('Authorization', KEY)
          .send(body as object);
      const unknownField = await post({ key: unique('k'), name: 'n', extra: 1 });
      expectError(unknownField, 422, 'VALIDATION_FAILED');
      expect(unknownField.body.details).toContainEqual({ field: 'extra', message: expect.any(String) });
      expectError(await post({ name: 'n' }), 422, 'VALIDATION_FAILED');
      expectError(await post({ key: 5, name: 'n' }), 422, 'VALIDATION_FAILED');
      expectError(await post({ key: 'has space', name: 'n' }), 422, 'VALIDATION_FAILED');
      expectError(await post({ key: 'k'.repeat(101), name: 'n' }), 422, 'VALIDATION_FAILED');
      const badJson = await t.http
        .post('/admin/tenants')
        .set('Authorization', KEY)
        .set('Content-Type', 'application/json')
        .send('{"key": ');
      expectError(badJson, 400, 'BAD_REQUEST');
      const form = await t.http
        .post('/admin/tenants')
        .set('Authorization', KEY)
        .type('form')
        .send({ key: 'k', name: 'n' });
      expectError(form, 400, 'BAD_REQUEST');
    });

    it('lists, reads, renames and deletes tenants with the admin key', async () => {
      const created = (
        await t.http
          .post('/admin/tenants')
          .set('Authorization', KEY)
          .send({ key: unique('t'), name: 'T' })
      ).body;
      const list = await t.http.get('/admin/tenants').set('Authorization', KEY);
      expect(list.status).toBe(200);
      expect(list.body).toContainEqual(created);

      expect((await t.http.get(`/admin/tenants/${created.id}`).set('Authorization', KEY)).body).toEqual(
        created,
      );
      const renamed = await t.http
        .patch(`/admin/tenants/${created.id}`)
        .set('Authorization', KEY)
        .send({ name: 'Renamed' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toEqual({ ...created, name: 'Renamed' });
      expectError(
        await t.http
          .patch(`/admin/tenants/${created.id}`)
          .set('Authorization', KEY)
          .send({ key: other.tenant.key }),
        409,
        'TENANT_KEY_EXISTS',
      );
      expectError(
        await t.http.patch(`/admin/tenants/${created.id}`).set('Authorization', KEY).send({ name: null }),
        422,
        'VALIDATION_FAILED',
      );

      const del = await t.http.delete(`/admin/tenants/${created.id}`).set('Authorization', KEY);
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      expectError(
        await t.http.get(`/admin/tenants/${created.id}`).set('Authorization', KEY),
        404,
        'NOT_FOUND',
      );
      expectError(
        await t.http.delete(`/admin/tenants/${created.id}`).set('Authorization', KEY),
        404,
        'NOT_FOUND',
      );
      expectError(
        await t.http.patch(`/admin/tenants/${created.id}`).set('Authorization', KEY).send({ name: 'x' }),
        404,
        'NOT_FOUND',
      );
    });

    it('answers 404 for ids that are not UUIDs', async () => {
      for (const id of ['nope', '1', "1' OR '1'='1"]) {
        expectError(
          await t.http.get(`/admin/tenants/${encodeURIComponent(id)}`).set('Authorization', KEY),
          404,
          'NOT_FOUND',
        );
      }
    });

    it('lets a ManageAuth token read only its own tenant and manage none (403)', async () => {
      const own = await t.http.get(`/admin/tenants/${admin.seed.tenant.id}`).set('Authorization', admin.auth);
      expect(own.status).toBe(200);
      expect(own.body.id).toBe(admin.seed.tenant.id);
      expectError(
        await t.http.get(`/admin/tenants/${other.tenant.id}`).set('Authorization', admin.auth),
        403,
        'FORBIDDEN',
      );
      expectError(await t.http.get('/admin/tenants').set('Authorization', admin.auth), 403, 'FORBIDDEN');
      expectError(
        await t.http
          .post('/admin/tenants')
          .set('Authorization', admin.auth)
          .send({ key: unique('x'), name: 'x' }),
        403,
        'FORBIDDEN',
      );
      expectError(
        await t.http
          .patch(`/admin/tenants/${admin.seed.tenant.id}`)
          .set('Authorization', admin.auth)
          .send({ name: 'x' }),
        403,
        'FORBIDDEN',
      );
      expectError(
        await t.http.delete(`/admin/tenants/${admin.seed.tenant.id}`).set('Authorization', admin.auth),
        403,
        'FORBIDDEN',
      );
    });
  });

  describe('roles', () => {
    it('creates a role (201) and refuses a duplicate name in the tenant (409)', async () => {
      const res = await t.http
        .post('/admin/roles')
        .set('Authorization', KEY)
        .send({
          tenantId: other.tenant.id,
          name: 'Editor',
          permissions: ['EditProfile', 'EditProfile', 'ViewProfile'],
        });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        tenantId: other.tenant.id,
        name: 'Editor',
        permissions: ['EditProfile', 'ViewProfile'],
        createdAt: expect.any(String),
      });
      const dup = await t.http
        .post('/admin/roles')
        .set('Authorization', KEY)
        .send({ tenantId: other.tenant.id, name: 'editor', permissions: [] });
      expectError(dup, 409, 'ROLE_EXISTS');
    });

    it('answers 404 for an unknown tenant and 422 for malformed bodies', async () => {
      const post = (body: unknown) =>
        t.http
          .post('/admin/roles')
          .set('Authorization', KEY)
          .send(body as object);
      expectError(await post({ tenantId: randomUUID(), name: 'r', permissions: [] }), 404, 'NOT_FOUND');
      expectError(await post({ tenantId: 'nope', name: 'r', permissions: [] }), 422, 'VALIDATION_FAILED');
      expectError(
        await post({ tenantId: other.tenant.id, name: 'r', permissions: 'ManageAuth' }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await post({ tenantId: other.tenant.id, name: 'r', permissions: ['has space'] }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await post({ tenantId: other.tenant.id, name: 'r', permissions: [1] }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(await post({ tenantId: other.tenant.id, name: 'r' }), 422, 'VALIDATION_FAILED');
      expectError(
        await post({ tenantId: other.tenant.id, name: 'r', permissions: [], x: 1 }),
        422,
        'VALIDATION_FAILED',
      );
      const badJson = await t.http
        .post('/admin/roles')
        .set('Authorization', KEY)
        .set('Content-Type', 'application/json')
        .send('[1,');
      expectError(badJson, 400, 'BAD_REQUEST');
    });

    it('lists roles, filtered by ?tenantId', async () => {
      const all = await t.http.get('/admin/roles').set('Authorization', KEY);
      expect(all.status).toBe(200);
      const tenants = new Set((all.body as { tenantId: string }[]).map((r) => r.tenantId));
      expect(tenants.has(admin.seed.tenant.id) && tenants.has(other.tenant.id)).toBe(true);
      const one = await t.http.get(`/admin/roles?tenantId=${other.tenant.id}`).set('Authorization', KEY);
      expect(one.body.length).toBeGreaterThan(0);
      expect((one.body as { tenantId: string }[]).every((r) => r.tenantId === other.tenant.id)).toBe(true);
      expectError(
        await t.http.get('/admin/roles?tenantId=nope').set('Authorization', KEY),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await t.http.get('/admin/roles?page=2').set('Authorization', KEY),
        422,
        'VALIDATION_FAILED',
      );
    });

    it('reads, updates and deletes a role; members keep their membership without it', async () => {
      const s = await seedTenant(t);
      const get = await t.http.get(`/admin/roles/${s.role.id}`).set('Authorization', KEY);
      expect(get.status).toBe(200);
      expect(get.body).toMatchObject({ id: s.role.id, name: 'member', permissions: ['ViewProfile'] });

      const patched = await t.http
        .patch(`/admin/roles/${s.role.id}`)
        .set('Authorization', KEY)
        .send({ permissions: ['ViewProfile', 'ViewLoginActivity'] });
      expect(patched.status).toBe(200);
      expect(patched.body.permissions).toEqual(['ViewProfile', 'ViewLoginActivity']);
      const login = await t.http.post('/auth/login-token').send(loginBody(s));
      const me = await t.http.get('/auth/me').set('Authorization', `Bearer ${login.body.accessToken}`);
      expect(me.body.permissions).toEqual(['ViewProfile', 'ViewLoginActivity']);

      await t.http
        .post('/admin/roles')
        .set('Authorization', KEY)
        .send({ tenantId: s.tenant.id, name: 'taken', permissions: [] });
      expectError(
        await t.http.patch(`/admin/roles/${s.role.id}`).set('Authorization', KEY).send({ name: 'TAKEN' }),
        409,
        'ROLE_EXISTS',
      );
      expectError(
        await t.http
          .patch(`/admin/roles/${s.role.id}`)
          .set('Authorization', KEY)
          .send({ tenantId: other.tenant.id }),
        422,
        'VALIDATION_FAILED',
      );

      expect((await t.http.delete(`/admin/roles/${s.role.id}`).set('Authorization', KEY)).status).toBe(204);
      expectError(await t.http.get(`/admin/roles/${s.role.id}`).set('Authorization', KEY), 404, 'NOT_FOUND');
      expectError(
        await t.http.delete(`/admin/roles/${s.role.id}`).set('Authorization', KEY),
        404,
        'NOT_FOUND',
      );
      expectError(
        await t.http.patch(`/admin/roles/${s.role.id}`).set('Authorization', KEY).send({}),
        404,
        'NOT_FOUND',
      );
      expectError(await t.http.get('/admin/roles/not-a-uuid').set('Authorization', KEY), 404, 'NOT_FOUND');
      const user = await t.http.get(`/admin/users/${s.user.id}`).set('Authorization', KEY);
      expect(user.body.memberships).toEqual([expect.objectContaining({ tenantId: s.tenant.id, role: null })]);
    });

    it('keeps a ManageAuth token inside its own tenant (403 elsewhere)', async () => {
      const mine = await t.http
        .post('/admin/roles')
        .set('Authorization', admin.auth)
        .send({ tenantId: admin.seed.tenant.id, name: 'support', permissions: ['ViewLoginActivity'] });
      expect(mine.status).toBe(201);
      const theirs = await t.http
        .post('/admin/roles')
        .set('Authorization', admin.auth)
        .send({ tenantId: other.tenant.id, name: 'support', permissions: [] });
      expectError(theirs, 403, 'FORBIDDEN');
      // Even a tenant that does not exist is outside the token's reach: 403, not 404.
      expectError(
        await t.http
          .post('/admin/roles')
          .set('Authorization', admin.auth)
          .send({ tenantId: randomUUID(), name: 'x', permissions: [] }),
        403,
        'FORBIDDEN',
      );

      const list = await t.http.get('/admin/roles').set('Authorization', admin.auth);
      expect(list.status).toBe(200);
      expect((list.body as { tenantId: string }[]).every((r) => r.tenantId === admin.seed.tenant.id)).toBe(
        true,
      );
      expectError(
        await t.http.get(`/admin/roles?tenantId=${other.tenant.id}`).set('Authorization', admin.auth),
        403,
        'FORBIDDEN',
      );

      expect((await t.http.get(`/admin/roles/${mine.body.id}`).set('Authorization', admin.auth)).status).toBe(
        200,
      );
      expectError(
        await t.http.get(`/admin/roles/${other.role.id}`).set('Authorization', admin.auth),
        403,
        'FORBIDDEN',
      );
      expectError(
        await t.http
          .patch(`/admin/roles/${other.role.id}`)
          .set('Authorization', admin.auth)
          .send({ permissions: ['ManageAuth'] }),
        403,
        'FORBIDDEN',
      );
      expectError(
        await t.http.delete(`/admin/roles/${other.role.id}`).set('Authorization', admin.auth),
        403,
        'FORBIDDEN',
      );
      expect(
        (await t.http.get(`/admin/roles/${other.role.id}`).set('Authorization', KEY)).body.permissions,
      ).toEqual(['ViewProfile']);
    });
  });
});
