import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed, STRONG_PASSWORD, unique } from './support/fixtures.js';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';
import { s256 } from '../src/tokens/pkce.js';

describe('password login (/auth/login, /auth/login-token)', () => {
  let t: TestApp;
  let seed: Seed;

  beforeAll(async () => {
    t = await createTestApp();
    seed = await seedTenant(t, { permissions: ['ViewProfile', 'EditProfile'] });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST /auth/login-token', () => {
    it('answers a token pair with the contract claims', async () => {
      const res = await t.http.post('/auth/login-token').send(loginBody(seed));
      const body = expectTokenResponse(res);
      const claims = decodeClaims(body.accessToken);
      expect(claims).toMatchObject({
        sub: seed.user.id,
        tid: seed.tenant.id,
        cid: seed.client.clientId,
        iss: t.config.jwtIssuer,
        permissions: ['ViewProfile', 'EditProfile'],
      });
      expect(claims.sid).toEqual(expect.any(String));
      expect(claims.jti).toEqual(expect.any(String));
      expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
      expect(body.expires).toBe(Number(claims.exp) * 1000);
    });

    it('accepts the username in any case and the email as login', async () => {
      const res = await t.http
        .post('/auth/login-token')
        .send(loginBody(seed, { username: seed.email.toUpperCase() }));
      expectTokenResponse(res);
    });

    it('honours the client accessTokenExpiration', async () => {
      const s = await seedTenant(t, { client: { accessTokenExpiration: 120 } });
      const res = await t.http.post('/auth/login-token').send(loginBody(s));
      const claims = decodeClaims(expectTokenResponse(res).accessToken);
      expect(Number(claims.exp) - Number(claims.iat)).toBe(120);
    });

    it('answers 401 INVALID_CREDENTIALS for a wrong password and for an unknown user alike', async () => {
      const wrong = await t.http
        .post('/auth/login-token')
        .send(loginBody(seed, { password: 'not-the-password-at-all' }));
      expectError(wrong, 401, 'INVALID_CREDENTIALS');
      const unknown = await t.http
        .post('/auth/login-token')
        .send(loginBody(seed, { username: 'nobody@example.com' }));
      expectError(unknown, 401, 'INVALID_CREDENTIALS');
      expect(unknown.body.message).toBe(wrong.body.message);
    });

    it('answers 401 INVALID_CLIENT for an unknown client or a wrong or missing secret', async () => {
      expectError(
        await t.http.post('/auth/login-token').send(loginBody(seed, { client_id: 'nope' })),
        401,
        'INVALID_CLIENT',
      );
      expectError(
        await t.http.post('/auth/login-token').send(loginBody(seed, { client_secret: 'x'.repeat(43) })),
        401,
        'INVALID_CLIENT',
      );
      expectError(
        await t.http.post('/auth/login-token').send(loginBody(seed, { client_secret: undefined })),
        401,
        'INVALID_CLIENT',
      );
    });

    it('lets a public client log in without a secret', async () => {
      const s = await seedTenant(t, { client: { public: true } });
      expect(s.clientSecret).toBeUndefined();
      expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s)));
    });

    it.each(['LOCKED', 'PENDING_APPROVAL', 'PENDING_VERIFICATION', 'DISABLED'] as const)(
      'refuses a %s member with 403 and that status as code, only after the password matched',
      async (status) => {
        const s = await seedTenant(t, { user: { status } });
        expectError(await t.http.post('/auth/login-token').send(loginBody(s)), 403, status);
        expectError(await t.http.post('/auth/login').send(loginBody(s)), 403, status);
        // A wrong password says nothing about the status.
        expectError(
          await t.http.post('/auth/login-token').send(loginBody(s, { password: 'wrong-password-here' })),
          401,
          'INVALID_CREDENTIALS',
        );
      },
    );

    it('refuses a user who is not a member of the client tenant with 403 NOT_A_MEMBER', async () => {
      const other = await seedTenant(t);
      const res = await t.http
        .post('/auth/login-token')
        .send(loginBody(other, { client_id: seed.client.clientId, client_secret: seed.clientSecret }));
      expectError(res, 403, 'NOT_A_MEMBER');
    });

    it('answers 401 MFA_REQUIRED and no tokens when the client requires MFA', async () => {
      const s = await seedTenant(t, { client: { mfaRequired: true } });
      const res = await t.http.post('/auth/login-token').send(loginBody(s));
      expectError(res, 401, 'MFA_REQUIRED');
      expect(res.body.accessToken).toBeUndefined();
    });

    it('verifies an imported bcrypt hash and upgrades it to argon2id on first login', async () => {
      const password = 'Imported-From-Old-System-77';
      const s = await seedTenant(t, {
        user: { password: undefined, passwordHash: bcrypt.hashSync(password, 4) },
      });
      expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s, { password })));
      const [row] = await sql<{ password_hash: string }>(
        t,
        'SELECT password_hash FROM user_credential WHERE user_id = $1',
        [s.user.id],
      );
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(s, { password })));
    });

    it('stores the device_id header as the login activity deviceInfo', async () => {
      const res = await t.http.post('/auth/login-token').set('device_id', 'iphone-15').send(loginBody(seed));
      expectTokenResponse(res);
      const rows = await sql(
        t,
        `SELECT device_info, login_type, auth_method, ip_address_enc, token_payload_enc FROM login_activity WHERE actor = $1 AND device_info = 'iphone-15'`,
        [seed.user.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ login_type: 'ACCESS', auth_method: 'PASSWORD' });
      // Stored encrypted, never in clear.
      expect(rows[0].ip_address_enc).toMatch(/^v2\./);
      expect(rows[0].token_payload_enc).not.toContain(seed.user.id);
    });
  });

  describe('POST /auth/login', () => {
    it('answers a single-use code that /auth/token exchanges', async () => {
      const res = await t.http.post('/auth/login').send(loginBody(seed));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ code: expect.stringMatching(/^[\w-]{43}$/) });
      const token = await t.http
        .post('/auth/token')
        .send({ code: res.body.code, clientId: seed.client.clientId });
      expectTokenResponse(token);
      const again = await t.http
        .post('/auth/token')
        .send({ code: res.body.code, clientId: seed.client.clientId });
      expectError(again, 401, 'INVALID_CODE');
    });

    it('binds the code to a PKCE challenge', async () => {
      const verifier = 'v'.repeat(20) + unique('pkce').replace(/-/g, '') + 'x'.repeat(20);
      const res = await t.http
        .post('/auth/login')
        .send(loginBody(seed, { code_challenge: s256(verifier), code_challenge_method: 'S256' }));
      expect(res.status).toBe(200);
      const missing = await t.http
        .post('/auth/token')
        .send({ code: res.body.code, clientId: seed.client.clientId });
      expectError(missing, 401, 'INVALID_CODE');
      const wrong = await t.http
        .post('/auth/token')
        .send({ code: res.body.code, clientId: seed.client.clientId, codeVerifier: 'w'.repeat(43) });
      expectError(wrong, 401, 'INVALID_CODE');
      const ok = await t.http
        .post('/auth/token')
        .send({ code: res.body.code, clientId: seed.client.clientId, codeVerifier: verifier });
      expectTokenResponse(ok);
    });

    it('refuses a plain PKCE method with 422', async () => {
      const res = await t.http
        .post('/auth/login')
        .send(loginBody(seed, { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }));
      expectError(res, 422, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'code_challenge_method' })]),
      );
    });

    it('answers a code for an MFA user that /auth/token refuses with MFA_REQUIRED and keeps valid', async () => {
      const s = await seedTenant(t, { client: { mfaRequired: true } });
      const res = await t.http.post('/auth/login').send(loginBody(s));
      expect(res.status).toBe(200);
      expectError(
        await t.http.post('/auth/token').send({ code: res.body.code, clientId: s.client.clientId }),
        401,
        'MFA_REQUIRED',
      );
      expectError(
        await t.http.post('/auth/token').send({ code: res.body.code, clientId: s.client.clientId }),
        401,
        'MFA_REQUIRED',
      );
    });

    it('answers 401 INVALID_CREDENTIALS and INVALID_CLIENT like login-token', async () => {
      expectError(
        await t.http.post('/auth/login').send(loginBody(seed, { password: 'wrong-password-123' })),
        401,
        'INVALID_CREDENTIALS',
      );
      expectError(
        await t.http.post('/auth/login').send(loginBody(seed, { client_id: 'missing' })),
        401,
        'INVALID_CLIENT',
      );
    });
  });

  // Bad JSON, wrong content types, huge bodies, missing, mistyped and unknown fields of both login
  // routes: the table of malformed-input.e2e-spec.ts.
  describe('malformed input', () => {
    it('rejects an over-long password field with 422 before hashing it', async () => {
      const res = await t.http
        .post('/auth/login-token')
        .send(loginBody(seed, { password: STRONG_PASSWORD.repeat(60) }));
      expectError(res, 422, 'VALIDATION_FAILED');
    });
  });
});
