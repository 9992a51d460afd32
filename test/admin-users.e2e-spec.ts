import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { hash as argon2Hash } from '@node-rs/argon2';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_APPROVED, MemberApprovedEvent } from '../src/admin/admin-users.service.js';
import { createTestApp, sql, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed, STRONG_PASSWORD, unique } from './support/fixtures.js';
import { expectError } from './support/assertions.js';

const KEY = `Bearer ${TEST_ADMIN_KEY}`;
const NEW_PASSWORD = 'Quartz-Meadow-Trombone-77';

describe('admin routes: users and memberships', () => {
  let t: TestApp;
  let seed: Seed;
  let manageAuth: string;
  let other: Seed;

  const email = () => `${unique('u')}@example.com`;
  const createUser = (body: Record<string, unknown>, auth = KEY) =>
    t.http.post('/admin/users').set('Authorization', auth).send(body);
  const get = (id: string, auth = KEY) => t.http.get(`/admin/users/${id}`).set('Authorization', auth);
  const patch = (id: string, body: Record<string, unknown>, auth = KEY) =>
    t.http.patch(`/admin/users/${id}`).set('Authorization', auth).send(body);
  const login = (s: Seed, overrides: Record<string, unknown> = {}) =>
    t.http.post('/auth/login-token').send(loginBody(s, overrides));
  const me = (token: string) => t.http.get('/auth/me').set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    t = await createTestApp();
    seed = await seedTenant(t, { permissions: ['ManageAuth'] });
    manageAuth = `Bearer ${(await login(seed)).body.accessToken}`;
    other = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST /admin/users', () => {
    it('creates a user and membership (201) who can log in', async () => {
      const address = email();
      const res = await createUser({
        email: address,
        username: unique('ada'),
        password: STRONG_PASSWORD,
        tenantId: seed.tenant.id,
        role: 'MEMBER',
        firstName: 'Ada',
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        email: address,
        username: expect.any(String),
        memberId: expect.any(Number),
        tenantId: seed.tenant.id,
        status: 'ACTIVE',
      });
      expect((await login(seed, { username: address })).status).toBe(200);
      const [cred] = await sql<{ password_hash: string }>(
        t,
        'SELECT password_hash FROM user_credential WHERE user_id = $1',
        [res.body.id],
      );
      expect(cred!.password_hash).toMatch(/^\$argon2id\$/);
    });

    it('imports a bcrypt hash from another system', async () => {
      const address = email();
      const passwordHash = bcrypt.hashSync(NEW_PASSWORD, 4);
      const res = await createUser({ email: address, passwordHash, tenantId: seed.tenant.id });
      expect(res.status).toBe(201);
      expect((await login(seed, { username: address, password: NEW_PASSWORD })).status).toBe(200);
    });

    it('imports an argon2id hash up to m=65536 KiB, t=10, p=4; a costlier one is 400 VALIDATION_FAILED naming passwordHash', async () => {
      const atLimit = await argon2Hash(NEW_PASSWORD, {
        memoryCost: 65536,
        timeCost: 10,
        parallelism: 4,
        algorithm: 2,
      });
      const address = email();
      expect(
        (await createUser({ email: address, passwordHash: atLimit, tenantId: seed.tenant.id })).status,
      ).toBe(201);
      expect((await login(seed, { username: address, password: NEW_PASSWORD })).status).toBe(200);
      // Too costly to verify: an imported m = 1 GiB hash would make every sign-in attempt allocate 1 GiB.
      const costly = [
        atLimit.replace('m=65536,t=10,p=4', 'm=1048576,t=10,p=4'),
        atLimit.replace('m=65536,t=10,p=4', 'm=65536,t=11,p=4'),
        atLimit.replace('m=65536,t=10,p=4', 'm=65536,t=10,p=5'),
        `$2b$15$${bcrypt.hashSync('x', 4).slice(7)}`,
      ];
      for (const passwordHash of costly) {
        const other = email();
        const res = await createUser({ email: other, passwordHash, tenantId: seed.tenant.id });
        expectError(res, 400, 'VALIDATION_FAILED');
        expect(res.body.details).toEqual([{ field: 'passwordHash', message: expect.any(String) }]);
        expect(await sql(t, 'SELECT 1 FROM app_user WHERE email = $1', [other])).toHaveLength(0);
      }
    });

    it('creates members in another status (PENDING_APPROVAL cannot log in)', async () => {
      const address = email();
      const res = await createUser({
        email: address,
        password: STRONG_PASSWORD,
        tenantId: seed.tenant.id,
        status: 'PENDING_APPROVAL',
      });
      expect(res.body.status).toBe('PENDING_APPROVAL');
      expectError(await login(seed, { username: address }), 403, 'PENDING_APPROVAL');
    });

    it('answers 400 WEAK_PASSWORD and UNKNOWN_ROLE, 404 for an unknown tenant, 409 for taken values', async () => {
      const address = email();
      expectError(
        await createUser({ email: address, password: 'short', tenantId: seed.tenant.id }),
        400,
        'WEAK_PASSWORD',
      );
      expectError(
        await createUser({ email: address, password: 'password1234', tenantId: seed.tenant.id }),
        400,
        'WEAK_PASSWORD',
      );
      expectError(
        await createUser({ email: address, password: `x${address}x`, tenantId: seed.tenant.id }),
        400,
        'WEAK_PASSWORD',
      );
      expectError(
        await createUser({ email: address, tenantId: seed.tenant.id, role: 'nope' }),
        400,
        'UNKNOWN_ROLE',
      );
      expectError(await createUser({ email: address, tenantId: randomUUID() }), 404, 'NOT_FOUND');
      expectError(
        await createUser({ email: seed.email.toUpperCase(), tenantId: seed.tenant.id }),
        409,
        'EMAIL_ALREADY_EXISTS',
      );
      expectError(
        await createUser({ email: address, username: seed.email, tenantId: seed.tenant.id }),
        409,
        'USERNAME_ALREADY_EXISTS',
      );
      const sso = unique('sso');
      expect((await createUser({ email: email(), ssoId: sso, tenantId: seed.tenant.id })).status).toBe(201);
      expectError(
        await createUser({ email: address, ssoId: sso, tenantId: seed.tenant.id }),
        409,
        'SSO_ID_ALREADY_EXISTS',
      );
      // Nothing of the refused attempts was kept.
      expect(
        (await t.http.get(`/admin/users?email=${encodeURIComponent(address)}`).set('Authorization', KEY))
          .body,
      ).toEqual([]);
    });

    it.each([
      ['a missing email', { email: undefined }],
      ['a malformed email', { email: 'not-an-email' }],
      ['a missing tenantId', { tenantId: undefined }],
      ['a malformed tenantId', { tenantId: 'acme' }],
      ['a numeric password', { password: 123456789012 }],
      [
        'both password and passwordHash',
        { password: STRONG_PASSWORD, passwordHash: bcrypt.hashSync('x', 4) },
      ],
      ['an unsupported passwordHash', { passwordHash: 'md5$abc' }],
      ['an unknown status', { status: 'BANNED' }],
      ['a null status', { status: null }],
      ['a malformed phone', { phone: 'call me' }],
      ['an unknown field', { admin: true }],
    ])('answers 422 for %s', async (_label, overrides) => {
      const res = await createUser({ email: email(), tenantId: seed.tenant.id, ...overrides });
      expectError(res, 422, 'VALIDATION_FAILED');
      expect(res.body.details.length).toBeGreaterThan(0);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const res = await t.http
        .post('/admin/users')
        .set('Authorization', KEY)
        .set('Content-Type', 'application/json')
        .send('{');
      expectError(res, 400, 'BAD_REQUEST');
    });

    it('lets a ManageAuth token create users in its own tenant only', async () => {
      expect((await createUser({ email: email(), tenantId: seed.tenant.id }, manageAuth)).status).toBe(201);
      expectError(
        await createUser({ email: email(), tenantId: other.tenant.id }, manageAuth),
        403,
        'FORBIDDEN',
      );
    });
  });

  describe('GET /admin/users', () => {
    it('reads a user with memberships and role names, never a hash', async () => {
      const res = await get(seed.user.id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: seed.user.id,
        email: seed.email,
        emailVerified: true,
        username: seed.email,
        firstName: null,
        lastName: null,
        phone: null,
        ssoId: null,
        mfaEnabled: false,
        createdAt: expect.any(String),
        memberships: [
          {
            id: seed.membership.id,
            userId: seed.user.id,
            tenantId: seed.tenant.id,
            memberId: seed.membership.memberId,
            role: 'member',
            status: 'ACTIVE',
          },
        ],
      });
      expect(JSON.stringify(res.body)).not.toMatch(/argon2|password/i);
      expectError(await get(randomUUID()), 404, 'NOT_FOUND');
      expectError(await get('42'), 404, 'NOT_FOUND');
    });

    it('lists users by tenant or email, with limit/offset paging', async () => {
      const s = await seedTenant(t);
      for (let i = 0; i < 3; i++) await createUser({ email: email(), tenantId: s.tenant.id });
      const all = await t.http.get(`/admin/users?tenantId=${s.tenant.id}`).set('Authorization', KEY);
      expect(all.status).toBe(200);
      expect(all.body).toHaveLength(4);
      const page = await t.http
        .get(`/admin/users?tenantId=${s.tenant.id}&limit=2&offset=1`)
        .set('Authorization', KEY);
      expect(page.body.map((u: { id: string }) => u.id)).toEqual(
        all.body.slice(1, 3).map((u: { id: string }) => u.id),
      );
      const byEmail = await t.http
        .get(`/admin/users?email=${encodeURIComponent(s.email.toUpperCase())}`)
        .set('Authorization', KEY);
      expect(byEmail.body.map((u: { id: string }) => u.id)).toEqual([s.user.id]);
      for (const q of ['limit=1001', 'limit=0', 'limit=abc', 'offset=-1', 'tenantId=x', 'sort=email']) {
        expectError(
          await t.http.get(`/admin/users?${q}`).set('Authorization', KEY),
          422,
          'VALIDATION_FAILED',
        );
      }
      expect((await t.http.get('/admin/users?limit=1000').set('Authorization', KEY)).status).toBe(200);
    });

    it("shows a ManageAuth token only its tenant's members, and only their membership there", async () => {
      const both = await createUser({ email: email(), tenantId: other.tenant.id });
      await t.http
        .post(`/admin/users/${both.body.id}/tenants`)
        .set('Authorization', KEY)
        .send({ tenantId: seed.tenant.id });

      const list = await t.http.get('/admin/users?limit=1000').set('Authorization', manageAuth);
      expect(list.status).toBe(200);
      const ids = list.body.map((u: { id: string }) => u.id);
      expect(ids).toContain(both.body.id);
      expect(ids).not.toContain(other.user.id);
      for (const u of list.body as { memberships: { tenantId: string }[] }[]) {
        expect(u.memberships.every((m) => m.tenantId === seed.tenant.id)).toBe(true);
      }
      expectError(
        await t.http.get(`/admin/users?tenantId=${other.tenant.id}`).set('Authorization', manageAuth),
        403,
        'FORBIDDEN',
      );
      expect((await get(both.body.id, manageAuth)).body.memberships).toHaveLength(1);
      expect((await get(both.body.id)).body.memberships).toHaveLength(2);
      expectError(await get(other.user.id, manageAuth), 403, 'FORBIDDEN');
    });
  });

  describe('PATCH /admin/users/{id}', () => {
    it('locks a member: their tokens stop at once and login answers 403 LOCKED; unlocking restores it', async () => {
      const s = await seedTenant(t);
      const session = (await login(s)).body;
      expect((await me(session.accessToken)).status).toBe(200);

      const locked = await patch(s.user.id, { status: 'LOCKED' });
      expect(locked.status).toBe(200);
      expect(locked.body.memberships[0].status).toBe('LOCKED');
      expectError(await me(session.accessToken), 401, 'UNAUTHORIZED');
      expect(
        (await t.http.post('/auth/token-refresh').send({ refreshToken: session.refreshToken })).status,
      ).toBe(401);
      expectError(await login(s), 403, 'LOCKED');

      expect((await patch(s.user.id, { status: 'ACTIVE' })).body.memberships[0].status).toBe('ACTIVE');
      expect((await login(s)).status).toBe(200);
    });

    it('applies status to the membership of tenantId only, ending only that tenant’s sessions', async () => {
      const a = await seedTenant(t);
      const b = await seedTenant(t);
      await t.http
        .post(`/admin/users/${a.user.id}/tenants`)
        .set('Authorization', KEY)
        .send({ tenantId: b.tenant.id });
      const inA = (await login(a)).body.accessToken;
      const inB = (await login(a, { client_id: b.client.clientId, client_secret: b.clientSecret })).body
        .accessToken;
      expect((await me(inB)).status).toBe(200);

      expectError(await patch(a.user.id, { status: 'DISABLED' }), 422, 'VALIDATION_FAILED');
      const res = await patch(a.user.id, { status: 'DISABLED', tenantId: a.tenant.id });
      expect(res.status).toBe(200);
      const statuses = Object.fromEntries(
        res.body.memberships.map((m: { tenantId: string; status: string }) => [m.tenantId, m.status]),
      );
      expect(statuses).toEqual({ [a.tenant.id]: 'DISABLED', [b.tenant.id]: 'ACTIVE' });
      expectError(await me(inA), 401, 'UNAUTHORIZED');
      expect((await me(inB)).status).toBe(200);
      expectError(await patch(a.user.id, { status: 'ACTIVE', tenantId: other.tenant.id }), 404, 'NOT_FOUND');
    });

    it('sets a new password through the policy and ends every session', async () => {
      const s = await seedTenant(t);
      const token = (await login(s)).body.accessToken;
      expectError(await patch(s.user.id, { password: 'tooshort' }), 400, 'WEAK_PASSWORD');
      expectError(await patch(s.user.id, { password: `${s.email}-Extra` }), 400, 'WEAK_PASSWORD');
      expect((await me(token)).status).toBe(200);

      expect((await patch(s.user.id, { password: NEW_PASSWORD })).status).toBe(200);
      expectError(await me(token), 401, 'UNAUTHORIZED');
      expectError(await login(s), 401, 'INVALID_CREDENTIALS');
      expect((await login(s, { password: NEW_PASSWORD })).status).toBe(200);
    });

    it('changes profile fields, the email and the role', async () => {
      const s = await seedTenant(t);
      await t.http
        .post('/admin/roles')
        .set('Authorization', KEY)
        .send({ tenantId: s.tenant.id, name: 'staff', permissions: ['Staff'] });
      const address = email();
      const res = await patch(s.user.id, {
        email: address,
        firstName: 'Grace',
        lastName: 'Hopper',
        phone: '+1 555 0100',
        role: 'staff',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        email: address,
        firstName: 'Grace',
        lastName: 'Hopper',
        phone: '+1 555 0100',
        emailVerified: true,
      });
      expect(res.body.memberships[0].role).toBe('staff');
      expect((await patch(s.user.id, { role: null, firstName: null })).body).toMatchObject({
        firstName: null,
        memberships: [expect.objectContaining({ role: null })],
      });
      expectError(await patch(s.user.id, { role: 'nope' }), 400, 'UNKNOWN_ROLE');
      expectError(await patch(s.user.id, { email: other.email }), 409, 'EMAIL_ALREADY_EXISTS');
      expectError(await patch(s.user.id, { email: null }), 422, 'VALIDATION_FAILED');
      expectError(await patch(s.user.id, { status: 'GONE' }), 422, 'VALIDATION_FAILED');
      expectError(await patch(s.user.id, { passwordHash: 'x' }), 422, 'VALIDATION_FAILED');
      expectError(await patch(randomUUID(), { firstName: 'x' }), 404, 'NOT_FOUND');
      expectError(await patch('nope', { firstName: 'x' }), 404, 'NOT_FOUND');
    });

    it('lets a ManageAuth token manage its members, but not identities shared with other tenants', async () => {
      const mine = await createUser({ email: email(), tenantId: seed.tenant.id });
      expect((await patch(mine.body.id, { firstName: 'Own', status: 'LOCKED' }, manageAuth)).status).toBe(
        200,
      );
      expectError(
        await patch(mine.body.id, { status: 'ACTIVE', tenantId: other.tenant.id }, manageAuth),
        403,
        'FORBIDDEN',
      );

      const shared = await createUser({ email: email(), tenantId: other.tenant.id });
      await t.http
        .post(`/admin/users/${shared.body.id}/tenants`)
        .set('Authorization', KEY)
        .send({ tenantId: seed.tenant.id });
      expectError(await patch(shared.body.id, { password: NEW_PASSWORD }, manageAuth), 403, 'FORBIDDEN');
      expectError(await patch(shared.body.id, { email: email() }, manageAuth), 403, 'FORBIDDEN');
      // Its own membership of the shared user is still its to manage.
      const lock = await patch(shared.body.id, { status: 'LOCKED' }, manageAuth);
      expect(lock.status).toBe(200);
      const full = (await get(shared.body.id)).body.memberships;
      expect(full.find((m: { tenantId: string }) => m.tenantId === other.tenant.id).status).toBe('ACTIVE');
      expectError(await patch(other.user.id, { firstName: 'x' }, manageAuth), 403, 'FORBIDDEN');
    });
  });

  describe('DELETE /admin/users/{id}', () => {
    it('deletes a user with the admin key, ending their sessions first', async () => {
      const s = await seedTenant(t);
      const token = (await login(s)).body.accessToken;
      const res = await t.http.delete(`/admin/users/${s.user.id}`).set('Authorization', KEY);
      expect(res.status).toBe(204);
      expectError(await me(token), 401, 'UNAUTHORIZED');
      expectError(await get(s.user.id), 404, 'NOT_FOUND');
      expectError(
        await t.http.delete(`/admin/users/${s.user.id}`).set('Authorization', KEY),
        404,
        'NOT_FOUND',
      );
      expect(await sql(t, 'SELECT 1 FROM user_credential WHERE user_id = $1', [s.user.id])).toEqual([]);
    });

    it('only removes the membership of its tenant with a ManageAuth token', async () => {
      const shared = await createUser({
        email: email(),
        password: STRONG_PASSWORD,
        tenantId: other.tenant.id,
      });
      await t.http
        .post(`/admin/users/${shared.body.id}/tenants`)
        .set('Authorization', KEY)
        .send({ tenantId: seed.tenant.id });
      const res = await t.http.delete(`/admin/users/${shared.body.id}`).set('Authorization', manageAuth);
      expect(res.status).toBe(204);
      const left = (await get(shared.body.id)).body.memberships;
      expect(left.map((m: { tenantId: string }) => m.tenantId)).toEqual([other.tenant.id]);
      expectError(
        await t.http.delete(`/admin/users/${shared.body.id}`).set('Authorization', manageAuth),
        403,
        'FORBIDDEN',
      );
      expectError(
        await t.http.delete(`/admin/users/${other.user.id}`).set('Authorization', manageAuth),
        403,
        'FORBIDDEN',
      );
    });
  });

  describe('POST /admin/users/{id}/tenants', () => {
    it('adds a membership (201) and refuses a second one (409)', async () => {
      const s = await seedTenant(t);
      const res = await t.http
        .post(`/admin/users/${s.user.id}/tenants`)
        .set('Authorization', KEY)
        .send({ tenantId: other.tenant.id, role: 'member' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        userId: s.user.id,
        tenantId: other.tenant.id,
        memberId: expect.any(Number),
        role: 'member',
        status: 'ACTIVE',
      });
      expect(res.body.memberId).not.toBe(s.membership.memberId);
      const again = await t.http
        .post(`/admin/users/${s.user.id}/tenants`)
        .set('Authorization', KEY)
        .send({ tenantId: other.tenant.id });
      expectError(again, 409, 'ALREADY_A_MEMBER');
    });

    it('answers 404, 400 UNKNOWN_ROLE, 422 and 403 like the other routes', async () => {
      const s = await seedTenant(t);
      const add = (userId: string, body: unknown, auth = KEY) =>
        t.http
          .post(`/admin/users/${userId}/tenants`)
          .set('Authorization', auth)
          .send(body as object);
      expectError(await add(randomUUID(), { tenantId: other.tenant.id }), 404, 'NOT_FOUND');
      expectError(await add(s.user.id, { tenantId: randomUUID() }), 404, 'NOT_FOUND');
      expectError(await add(s.user.id, { tenantId: other.tenant.id, role: 'ghost' }), 400, 'UNKNOWN_ROLE');
      expectError(await add(s.user.id, {}), 422, 'VALIDATION_FAILED');
      expectError(
        await add(s.user.id, { tenantId: other.tenant.id, status: 'ACTIVE' }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(await add(s.user.id, { tenantId: seed.tenant.id }, manageAuth), 403, 'FORBIDDEN');
      expectError(await add(seed.user.id, { tenantId: other.tenant.id }, manageAuth), 403, 'FORBIDDEN');
    });
  });

  describe('POST /admin/members/{userId}/approve', () => {
    it('activates a PENDING_APPROVAL member (204) and announces it; a second approval is 409', async () => {
      const address = email();
      const created = await createUser({
        email: address,
        password: STRONG_PASSWORD,
        tenantId: seed.tenant.id,
        status: 'PENDING_APPROVAL',
      });
      const events: MemberApprovedEvent[] = [];
      t.app.get(EventEmitter2).once(MEMBER_APPROVED, (e: MemberApprovedEvent) => events.push(e));

      const res = await t.http
        .post(`/admin/members/${created.body.id}/approve`)
        .set('Authorization', manageAuth);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(events).toEqual([
        { userId: created.body.id, tenantId: seed.tenant.id, memberId: created.body.memberId },
      ]);
      expect((await login(seed, { username: address })).status).toBe(200);

      const again = await t.http.post(`/admin/members/${created.body.id}/approve`).set('Authorization', KEY);
      expectError(again, 409, 'NOT_PENDING_APPROVAL');
    });

    it('needs ?tenantId when the user has several memberships', async () => {
      const created = await createUser({
        email: email(),
        tenantId: other.tenant.id,
        status: 'PENDING_APPROVAL',
      });
      await t.http
        .post(`/admin/users/${created.body.id}/tenants`)
        .set('Authorization', KEY)
        .send({ tenantId: seed.tenant.id });
      const approve = (query = '') =>
        t.http.post(`/admin/members/${created.body.id}/approve${query}`).set('Authorization', KEY);
      expectError(await approve(), 422, 'VALIDATION_FAILED');
      expectError(await approve('?tenantId=nope'), 422, 'VALIDATION_FAILED');
      expectError(await approve(`?tenantId=${randomUUID()}`), 404, 'NOT_FOUND');
      expectError(await approve(`?tenantId=${seed.tenant.id}`), 409, 'NOT_PENDING_APPROVAL');
      expect((await approve(`?tenantId=${other.tenant.id}`)).status).toBe(204);
    });

    it('answers 404 for an unknown user and 403 across tenants', async () => {
      expectError(
        await t.http.post(`/admin/members/${randomUUID()}/approve`).set('Authorization', KEY),
        404,
        'NOT_FOUND',
      );
      expectError(
        await t.http.post('/admin/members/nope/approve').set('Authorization', KEY),
        404,
        'NOT_FOUND',
      );
      const theirs = await createUser({
        email: email(),
        tenantId: other.tenant.id,
        status: 'PENDING_APPROVAL',
      });
      expectError(
        await t.http.post(`/admin/members/${theirs.body.id}/approve`).set('Authorization', manageAuth),
        403,
        'FORBIDDEN',
      );
      expectError(
        await t.http
          .post(`/admin/members/${seed.user.id}/approve?tenantId=${other.tenant.id}`)
          .set('Authorization', manageAuth),
        403,
        'FORBIDDEN',
      );
    });
  });
});
