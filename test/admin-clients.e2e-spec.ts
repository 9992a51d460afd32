import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/common/crypto/tokens.js';
import { createTestApp, sql, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed, unique } from './support/fixtures.js';
import { expectError } from './support/assertions.js';

const KEY = `Bearer ${TEST_ADMIN_KEY}`;

describe('admin routes: clients', () => {
  let t: TestApp;
  let seed: Seed;
  let manageAuth: string;
  let other: Seed;

  const create = (body: Record<string, unknown>, auth = KEY) =>
    t.http.post('/admin/clients').set('Authorization', auth).send(body);
  const minimal = (overrides: Record<string, unknown> = {}) => ({
    clientId: unique('app'),
    name: 'App',
    tenantId: seed.tenant.id,
    redirectUrls: ['https://app.example.com/callback'],
    ...overrides,
  });
  /** Everything stored for a client, as text: the clear secret must never be in it. */
  const storedRow = async (id: string) =>
    (
      await sql<{ row: string }>(t, 'SELECT row_to_json(c)::text AS row FROM auth_client c WHERE id = $1', [
        id,
      ])
    )[0]!.row;

  beforeAll(async () => {
    t = await createTestApp();
    seed = await seedTenant(t, { permissions: ['ManageAuth'] });
    const login = await t.http.post('/auth/login-token').send(loginBody(seed));
    manageAuth = `Bearer ${login.body.accessToken}`;
    other = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST /admin/clients', () => {
    it('creates a confidential client with a generated secret shown once, stored as SHA-256', async () => {
      const res = await create(minimal());
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toContain('no-store');
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        clientId: expect.any(String),
        name: 'App',
        tenantId: seed.tenant.id,
        redirectUrls: ['https://app.example.com/callback'],
        allowedOrigins: [],
        accessTokenExpiration: null,
        refreshTokenExpiration: null,
        authCodeExpiration: null,
        mfaRequired: false,
        public: false,
        allowSignUp: true,
        requireOwnerApproval: false,
        requireEmailVerification: true,
        captchaRequired: false,
        resetPasswordUrl: null,
        signUpUrl: null,
        idTokenSignedResponseAlg: 'RS256',
        createdAt: expect.stringMatching(/Z$/),
        clientSecret: expect.stringMatching(/^[\w-]{32,}$/),
      });
      const [row] = await sql<{ secret_hash: string }>(
        t,
        'SELECT secret_hash FROM auth_client WHERE id = $1',
        [res.body.id],
      );
      expect(row!.secret_hash).toBe(sha256Hex(res.body.clientSecret));
      expect(await storedRow(res.body.id)).not.toContain(res.body.clientSecret);

      // The secret works for logins through the new client, and only the right one does.
      const login = loginBody(seed, { client_id: res.body.clientId, client_secret: res.body.clientSecret });
      expect((await t.http.post('/auth/login-token').send(login)).status).toBe(200);
      expectError(
        await t.http.post('/auth/login-token').send({ ...login, client_secret: 'x'.repeat(43) }),
        401,
        'INVALID_CLIENT',
      );
    });

    it('takes every documented field, and a chosen secret of at least 32 characters', async () => {
      const secret = 's'.repeat(32);
      const body = minimal({
        clientSecret: secret,
        redirectUrls: [
          'https://app.example.com/cb',
          'com.example.app:/oauth2redirect',
          'myapp://callback',
          'http://localhost:5173/cb',
        ],
        allowedOrigins: [
          'https://app.example.com',
          'HTTPS://Admin.Example.com:443/',
          'capacitor://localhost',
          'http://localhost:5173',
        ],
        accessTokenExpiration: 900,
        refreshTokenExpiration: 86400,
        authCodeExpiration: 30,
        mfaRequired: true,
        public: false,
        allowSignUp: false,
        requireOwnerApproval: true,
        requireEmailVerification: false,
        captchaRequired: true,
        resetPasswordUrl: 'https://app.example.com/reset',
        signUpUrl: 'https://app.example.com/sign-up',
        idTokenSignedResponseAlg: 'EdDSA',
      });
      const res = await create(body);
      expect(res.status).toBe(201);
      const { clientSecret: _secret, ...expected } = body as Record<string, unknown>;
      expect(res.body).toMatchObject({
        ...expected,
        allowedOrigins: [
          'https://app.example.com',
          'https://admin.example.com',
          'capacitor://localhost',
          'http://localhost:5173',
        ],
        clientSecret: secret,
      });
      expect(await storedRow(res.body.id)).not.toContain(secret);
    });

    it('creates a public client without a secret', async () => {
      const res = await create(minimal({ public: true }));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ public: true, clientSecret: null });
      const [row] = await sql<{ secret_hash: string | null }>(
        t,
        'SELECT secret_hash FROM auth_client WHERE id = $1',
        [res.body.id],
      );
      expect(row!.secret_hash).toBeNull();
      expectError(
        await create(minimal({ public: true, clientSecret: 'p'.repeat(40) })),
        422,
        'VALIDATION_FAILED',
      );
    });

    it('answers 409 CLIENT_ID_EXISTS for a taken clientId and 404 for an unknown tenant', async () => {
      expectError(await create(minimal({ clientId: seed.client.clientId })), 409, 'CLIENT_ID_EXISTS');
      expectError(await create(minimal({ tenantId: randomUUID() })), 404, 'NOT_FOUND');
    });

    it.each([
      ['a short secret', { clientSecret: 'x'.repeat(31) }, 'clientSecret'],
      ['a missing clientId', { clientId: undefined }, 'clientId'],
      ['a clientId with spaces', { clientId: 'my app' }, 'clientId'],
      ['a missing name', { name: undefined }, 'name'],
      ['a bad tenantId', { tenantId: 'acme' }, 'tenantId'],
      ['missing redirectUrls', { redirectUrls: undefined }, 'redirectUrls'],
      ['redirectUrls as a string', { redirectUrls: 'https://app.example.com/cb' }, 'redirectUrls'],
      ['a javascript: redirect', { redirectUrls: ['javascript:alert(1)'] }, 'redirectUrls'],
      ['a data: redirect', { redirectUrls: ['data:text/html,hi'] }, 'redirectUrls'],
      ['a redirect with a fragment', { redirectUrls: ['https://app.example.com/cb#x'] }, 'redirectUrls'],
      ['a relative redirect', { redirectUrls: ['/callback'] }, 'redirectUrls'],
      ['a redirect without scheme', { redirectUrls: ['localhost:3000/cb'] }, 'redirectUrls'],
      [
        'a redirect with credentials',
        { redirectUrls: ['https://user:pw@app.example.com/cb'] },
        'redirectUrls',
      ],
      ['an origin with a path', { allowedOrigins: ['https://app.example.com/app'] }, 'allowedOrigins'],
      ['a wildcard origin', { allowedOrigins: ['*'] }, 'allowedOrigins'],
      ['an origin with a query', { allowedOrigins: ['https://app.example.com?x=1'] }, 'allowedOrigins'],
      ['a zero lifetime', { accessTokenExpiration: 0 }, 'accessTokenExpiration'],
      ['a negative lifetime', { refreshTokenExpiration: -5 }, 'refreshTokenExpiration'],
      ['a fractional lifetime', { authCodeExpiration: 1.5 }, 'authCodeExpiration'],
      ['a lifetime as a string', { accessTokenExpiration: '60' }, 'accessTokenExpiration'],
      ['an access lifetime over a day', { accessTokenExpiration: 86401 }, 'accessTokenExpiration'],
      ['an auth-code lifetime over 10 minutes', { authCodeExpiration: 601 }, 'authCodeExpiration'],
      ['a boolean as a string', { mfaRequired: 'true' }, 'mfaRequired'],
      ['a null boolean', { public: null }, 'public'],
      ['a non-http resetPasswordUrl', { resetPasswordUrl: 'myapp://reset' }, 'resetPasswordUrl'],
      ['an unknown field', { secret: 'x' }, 'secret'],
    ])('answers 422 for %s', async (_label, overrides, field) => {
      const res = await create(minimal(overrides));
      expectError(res, 422, 'VALIDATION_FAILED');
      expect(res.body.details.map((d: { field: string }) => d.field.split('.')[0])).toContain(field);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const res = await t.http
        .post('/admin/clients')
        .set('Authorization', KEY)
        .set('Content-Type', 'application/json')
        .send('{"clientId": "x",');
      expectError(res, 400, 'BAD_REQUEST');
    });

    it('lets a ManageAuth token create clients in its own tenant only', async () => {
      expect((await create(minimal(), manageAuth)).status).toBe(201);
      expectError(await create(minimal({ tenantId: other.tenant.id }), manageAuth), 403, 'FORBIDDEN');
    });
  });

  describe('GET /admin/clients', () => {
    it('lists and reads clients without their secrets, by uuid or clientId', async () => {
      const created = (await create(minimal())).body;
      const list = await t.http.get('/admin/clients').set('Authorization', KEY);
      expect(list.status).toBe(200);
      const { clientSecret, ...shown } = created;
      expect(list.body).toContainEqual(shown);
      for (const c of list.body as Record<string, unknown>[]) {
        expect(c).not.toHaveProperty('clientSecret');
        expect(c).not.toHaveProperty('secretHash');
      }
      expect(JSON.stringify(list.body)).not.toContain(clientSecret);

      for (const id of [created.id, created.clientId]) {
        const one = await t.http.get(`/admin/clients/${id}`).set('Authorization', KEY);
        expect(one.status).toBe(200);
        expect(one.body).toEqual(shown);
      }
      const filtered = await t.http
        .get(`/admin/clients?tenantId=${other.tenant.id}`)
        .set('Authorization', KEY);
      expect(filtered.body.map((c: { id: string }) => c.id)).toEqual([other.client.id]);
      expectError(
        await t.http.get('/admin/clients?tenantId=x').set('Authorization', KEY),
        422,
        'VALIDATION_FAILED',
      );
    });

    it('answers 404 for an unknown client, whatever the id looks like', async () => {
      for (const id of [randomUUID(), 'no-such-client', '%E2%9C%93']) {
        expectError(await t.http.get(`/admin/clients/${id}`).set('Authorization', KEY), 404, 'NOT_FOUND');
      }
    });

    it("keeps a ManageAuth token to its own tenant's clients", async () => {
      const list = await t.http.get('/admin/clients').set('Authorization', manageAuth);
      expect(list.status).toBe(200);
      expect((list.body as { tenantId: string }[]).every((c) => c.tenantId === seed.tenant.id)).toBe(true);
      expectError(
        await t.http.get(`/admin/clients?tenantId=${other.tenant.id}`).set('Authorization', manageAuth),
        403,
        'FORBIDDEN',
      );
      expect(
        (await t.http.get(`/admin/clients/${seed.client.clientId}`).set('Authorization', manageAuth)).status,
      ).toBe(200);
      expectError(
        await t.http.get(`/admin/clients/${other.client.id}`).set('Authorization', manageAuth),
        403,
        'FORBIDDEN',
      );
    });
  });

  describe('PATCH /admin/clients/{id}', () => {
    it('changes settings, clears nullable ones and refreshes the CORS origins at once', async () => {
      const created = (
        await create(minimal({ accessTokenExpiration: 600, resetPasswordUrl: 'https://app.example.com/r' }))
      ).body;
      const origin = `https://${unique('spa')}.example.com`;
      const preflight = () =>
        t.http.options('/auth/login').set('Origin', origin).set('Access-Control-Request-Method', 'POST');
      expect((await preflight()).headers['access-control-allow-origin']).toBeUndefined();

      const res = await t.http
        .patch(`/admin/clients/${created.clientId}`)
        .set('Authorization', KEY)
        .send({
          name: 'Renamed',
          allowedOrigins: [origin],
          accessTokenExpiration: null,
          resetPasswordUrl: null,
          captchaRequired: true,
        });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: created.id,
        name: 'Renamed',
        allowedOrigins: [origin],
        accessTokenExpiration: null,
        resetPasswordUrl: null,
        captchaRequired: true,
      });
      expect(res.body).not.toHaveProperty('clientSecret');
      expect((await preflight()).headers['access-control-allow-origin']).toBe(origin);
    });

    it('renames the clientId (409 when taken) and drops the secret of a client made public', async () => {
      const created = (await create(minimal())).body;
      const newId = unique('renamed');
      const renamed = await t.http
        .patch(`/admin/clients/${created.id}`)
        .set('Authorization', KEY)
        .send({ clientId: newId });
      expect(renamed.body.clientId).toBe(newId);
      expectError(
        await t.http
          .patch(`/admin/clients/${created.id}`)
          .set('Authorization', KEY)
          .send({ clientId: other.client.clientId }),
        409,
        'CLIENT_ID_EXISTS',
      );
      const pub = await t.http
        .patch(`/admin/clients/${newId}`)
        .set('Authorization', KEY)
        .send({ public: true });
      expect(pub.body.public).toBe(true);
      const [row] = await sql<{ secret_hash: string | null }>(
        t,
        'SELECT secret_hash FROM auth_client WHERE id = $1',
        [created.id],
      );
      expect(row!.secret_hash).toBeNull();
    });

    it('validates the body and answers 404 / 403 like the other routes', async () => {
      const id = seed.client.id;
      const patch = (body: unknown, auth = KEY, target = id) =>
        t.http
          .patch(`/admin/clients/${target}`)
          .set('Authorization', auth)
          .send(body as object);
      expectError(await patch({ clientSecret: 'x'.repeat(40) }), 422, 'VALIDATION_FAILED');
      expectError(await patch({ tenantId: other.tenant.id }), 422, 'VALIDATION_FAILED');
      expectError(await patch({ redirectUrls: null }), 422, 'VALIDATION_FAILED');
      expectError(await patch({ redirectUrls: ['ftp:no-slash'] }), 422, 'VALIDATION_FAILED');
      expectError(await patch({ name: '' }), 422, 'VALIDATION_FAILED');
      expectError(await patch({ name: 'x' }, KEY, randomUUID()), 404, 'NOT_FOUND');
      expect((await patch({ name: 'Mine' }, manageAuth)).status).toBe(200);
      expectError(await patch({ name: 'Theirs' }, manageAuth, other.client.id), 403, 'FORBIDDEN');
    });
  });

  describe('POST /admin/clients/{id}/secret', () => {
    it('rotates the secret: the new one works, the old one stops, only the hash is stored', async () => {
      const created = (await create(minimal())).body;
      const res = await t.http.post(`/admin/clients/${created.clientId}/secret`).set('Authorization', KEY);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toContain('no-store');
      expect(res.body).toMatchObject({ id: created.id, clientSecret: expect.stringMatching(/^[\w-]{32,}$/) });
      expect(res.body.clientSecret).not.toBe(created.clientSecret);
      const [row] = await sql<{ secret_hash: string }>(
        t,
        'SELECT secret_hash FROM auth_client WHERE id = $1',
        [created.id],
      );
      expect(row!.secret_hash).toBe(sha256Hex(res.body.clientSecret));

      const login = (secret: string) =>
        t.http
          .post('/auth/login-token')
          .send(loginBody(seed, { client_id: created.clientId, client_secret: secret }));
      expectError(await login(created.clientSecret), 401, 'INVALID_CLIENT');
      expect((await login(res.body.clientSecret)).status).toBe(200);

      const chosen = 'c'.repeat(40);
      const again = await t.http
        .post(`/admin/clients/${created.id}/secret`)
        .set('Authorization', KEY)
        .send({ clientSecret: chosen });
      expect(again.body.clientSecret).toBe(chosen);
      expect(
        (await t.http.get(`/admin/clients/${created.id}`).set('Authorization', KEY)).body,
      ).not.toHaveProperty('clientSecret');
    });

    it('answers 409 for a public client, 404 for an unknown one, 422 for a short secret, 403 across tenants', async () => {
      const pub = (await create(minimal({ public: true }))).body;
      expectError(
        await t.http.post(`/admin/clients/${pub.id}/secret`).set('Authorization', KEY),
        409,
        'CLIENT_IS_PUBLIC',
      );
      expectError(
        await t.http.post(`/admin/clients/${randomUUID()}/secret`).set('Authorization', KEY),
        404,
        'NOT_FOUND',
      );
      expectError(
        await t.http
          .post(`/admin/clients/${seed.client.id}/secret`)
          .set('Authorization', KEY)
          .send({ clientSecret: 'short' }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await t.http.post(`/admin/clients/${other.client.id}/secret`).set('Authorization', manageAuth),
        403,
        'FORBIDDEN',
      );
    });
  });

  describe('DELETE /admin/clients/{id}', () => {
    it('deletes a client (204), then answers 404; a ManageAuth token cannot delete across tenants', async () => {
      const created = (await create(minimal())).body;
      expectError(
        await t.http.delete(`/admin/clients/${other.client.id}`).set('Authorization', manageAuth),
        403,
        'FORBIDDEN',
      );
      const del = await t.http.delete(`/admin/clients/${created.clientId}`).set('Authorization', KEY);
      expect(del.status).toBe(204);
      expectError(
        await t.http.get(`/admin/clients/${created.id}`).set('Authorization', KEY),
        404,
        'NOT_FOUND',
      );
      expectError(
        await t.http.delete(`/admin/clients/${created.id}`).set('Authorization', KEY),
        404,
        'NOT_FOUND',
      );
      expectError(
        await t.http
          .post('/auth/login-token')
          .send(loginBody(seed, { client_id: created.clientId, client_secret: created.clientSecret })),
        401,
        'INVALID_CLIENT',
      );
    });
  });
});
