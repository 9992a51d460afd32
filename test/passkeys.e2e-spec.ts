import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { bearer, visitorToken } from './support/headless.js';
import { passwordGrant } from './support/mfa.js';
import {
  exchangeSessionToken,
  loginActivityMethods,
  memberToken,
  outboxTemplates,
  registerPasskey,
  registrationOptions,
  signInOptions,
  signInWith,
} from './support/passkeys.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { SoftAuthenticator } from './support/webauthn.js';

/**
 * API.md section 13 over a software authenticator: registration, sign-in, and every refusal
 * (401 INVALID_PASSKEY) the browser could not be made to produce. The browser flows are in
 * passkeys-browser.e2e-spec.ts.
 */
const PUBLIC = 'http://localhost:4400';
const APP_ORIGIN = 'http://localhost:5173';

describe('passkeys (/auth/v2/mfa/methods/passkey, /auth/v2/login/passkey)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL: PUBLIC });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A tenant whose public client allows a page on localhost (under the RP id) and one elsewhere. */
  const seedWithPage = () =>
    seedTenant(t, {
      permissions: ['ViewProfile', 'ViewLoginActivity'],
      client: {
        public: true,
        redirectUrls: [`${APP_ORIGIN}/callback`],
        allowedOrigins: [APP_ORIGIN, 'https://app.example.com'],
      },
    });

  describe('registration', () => {
    let seed: Seed;
    let token: string;
    beforeAll(async () => {
      seed = await seedWithPage();
      token = await memberToken(t, seed);
    });

    it('answers creation options for the RP id, resident key and user verification preferred', async () => {
      const res = await registrationOptions(t, token, { name: 'Laptop' });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toContain('no-store');
      expect(res.body.stateToken).toEqual(expect.any(String));
      expect(res.body.options).toMatchObject({
        rp: { id: 'localhost' },
        challenge: expect.any(String),
        attestation: 'none',
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
        excludeCredentials: [],
      });
      expect(res.body.options.pubKeyCredParams).toContainEqual({ alg: -7, type: 'public-key' });
    });

    it('stores the passkey (201), lists it, turns MFA on and mails the "authenticator added" notice', async () => {
      const authenticator = new SoftAuthenticator(APP_ORIGIN);
      const added = await registerPasskey(t, token, authenticator, { name: 'Laptop' });
      expect(added).toEqual({ methodId: expect.any(String), type: 'passkey', name: 'Laptop' });
      const [row] = await sql<Record<string, unknown>>(
        t,
        `SELECT credential_id, counter, transports, backup_eligible, backed_up, name, user_id FROM passkey_credential
         WHERE id = $1`,
        [added.methodId],
      );
      expect(row).toMatchObject({
        credential_id: authenticator.id,
        transports: ['internal'],
        backup_eligible: false,
        backed_up: false,
        name: 'Laptop',
        user_id: seed.user.id,
      });
      const list = await t.http.get('/auth/v2/mfa/methods').set(bearer(token));
      expect(list.body).toContainEqual(
        expect.objectContaining({ id: added.methodId, type: 'passkey', name: 'Laptop', confirmed: true }),
      );
      const [user] = await sql<{ mfa_enabled: boolean }>(
        t,
        `SELECT mfa_enabled FROM app_user WHERE id = $1`,
        [seed.user.id],
      );
      expect(user!.mfa_enabled).toBe(true);
      expect(await outboxTemplates(t, seed.email)).toContain('authenticator-added');
      // The next options exclude it, and a password alone no longer signs in.
      const next = await registrationOptions(t, token);
      expect(next.body.options.excludeCredentials).toEqual([
        expect.objectContaining({ id: authenticator.id, type: 'public-key' }),
      ]);
      expectError(await passwordGrant(t, seed), 401, 'MFA_REQUIRED');
    });

    it('refuses a replayed challenge (the stateToken works once)', async () => {
      const start = await registrationOptions(t, token);
      const body = {
        stateToken: start.body.stateToken,
        credential: new SoftAuthenticator(APP_ORIGIN).create(start.body.options),
      };
      const first = await t.http.post('/auth/v2/mfa/methods/passkey').set(bearer(token)).send(body);
      expect(first.status).toBe(201);
      const again = { ...body, credential: new SoftAuthenticator(APP_ORIGIN).create(start.body.options) };
      expectError(
        await t.http.post('/auth/v2/mfa/methods/passkey').set(bearer(token)).send(again),
        401,
        'INVALID_PASSKEY',
      );
    });

    it.each([
      ['a wrong origin', { origin: 'http://localhost:6666' }],
      ['an origin of the client that is not under the RP id', { origin: 'https://app.example.com' }],
      ['a wrong RP id', { rpId: 'example.com' }],
      ['no user presence', { up: false }],
      ['another challenge', { challenge: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ])('refuses %s with 401 INVALID_PASSKEY and stores nothing', async (_, ceremony) => {
      const start = await registrationOptions(t, token);
      const authenticator = new SoftAuthenticator(APP_ORIGIN);
      const res = await t.http
        .post('/auth/v2/mfa/methods/passkey')
        .set(bearer(token))
        .send({
          stateToken: start.body.stateToken,
          credential: authenticator.create(start.body.options, ceremony),
        });
      expectError(res, 401, 'INVALID_PASSKEY');
      const stored = await sql(t, `SELECT id FROM passkey_credential WHERE credential_id = $1`, [
        authenticator.id,
      ]);
      expect(stored).toEqual([]);
    });

    it("refuses another member's stateToken, and a credential already registered", async () => {
      const other = await seedWithPage();
      const otherToken = await memberToken(t, other);
      const start = await registrationOptions(t, otherToken);
      const authenticator = new SoftAuthenticator(APP_ORIGIN);
      const stolen = await t.http
        .post('/auth/v2/mfa/methods/passkey')
        .set(bearer(token))
        .send({ stateToken: start.body.stateToken, credential: authenticator.create(start.body.options) });
      expectError(stolen, 401, 'INVALID_PASSKEY');
      await registerPasskey(t, token, authenticator);
      const again = await registrationOptions(t, otherToken);
      const dup = await t.http
        .post('/auth/v2/mfa/methods/passkey')
        .set(bearer(otherToken))
        .send({ stateToken: again.body.stateToken, credential: authenticator.create(again.body.options) });
      expectError(dup, 401, 'INVALID_PASSKEY');
    });

    it('needs a member token: none or a visitor token is 401 UNAUTHORIZED', async () => {
      expectError(await t.http.post('/auth/v2/mfa/methods/passkey/options').send({}), 401, 'UNAUTHORIZED');
      const visitor = await visitorToken(t, seed.client.clientId);
      expectError(await registrationOptions(t, visitor), 401, 'UNAUTHORIZED');
    });

    it.each([
      ['options: a name that is not a string', '/auth/v2/mfa/methods/passkey/options', { name: 42 }],
      ['options: an unknown field', '/auth/v2/mfa/methods/passkey/options', { nope: true }],
      ['no credential', '/auth/v2/mfa/methods/passkey', { stateToken: 'x' }],
      [
        'a credential that is a string',
        '/auth/v2/mfa/methods/passkey',
        { stateToken: 'x', credential: 'abc' },
      ],
      [
        'a credential without attestationObject',
        '/auth/v2/mfa/methods/passkey',
        {
          stateToken: 'x',
          credential: { id: 'AA', rawId: 'AA', type: 'public-key', response: { clientDataJSON: 'AA' } },
        },
      ],
      [
        'a credential of another type',
        '/auth/v2/mfa/methods/passkey',
        { stateToken: 'x', credential: { id: 'AA', rawId: 'AA', type: 'password', response: {} } },
      ],
    ])('answers 422 VALIDATION_FAILED for %s', async (_, path, body) => {
      expectError(await t.http.post(path).set(bearer(token)).send(body), 422, 'VALIDATION_FAILED');
    });

    it('answers 401 INVALID_PASSKEY (never 5xx) for garbage that has the right shape', async () => {
      const start = await registrationOptions(t, token);
      const garbage = {
        id: 'AAAA',
        rawId: 'AAAA',
        type: 'public-key',
        response: { clientDataJSON: 'e30', attestationObject: 'oA' },
      };
      const res = await t.http
        .post('/auth/v2/mfa/methods/passkey')
        .set(bearer(token))
        .send({ stateToken: start.body.stateToken, credential: garbage });
      expectError(res, 401, 'INVALID_PASSKEY');
    });
  });

  describe('sign-in', () => {
    let seed: Seed;
    let authenticator: SoftAuthenticator;
    beforeAll(async () => {
      seed = await seedWithPage();
      authenticator = new SoftAuthenticator(APP_ORIGIN);
      await registerPasskey(t, await memberToken(t, seed), authenticator);
    });

    it('discoverable: options without allowCredentials; SUCCESS with a sessionToken; login activity PASSKEY', async () => {
      const visitor = await visitorToken(t, seed.client.clientId);
      const start = await signInOptions(t, visitor);
      expect(start.status).toBe(200);
      expect(start.body.options).toMatchObject({ rpId: 'localhost', userVerification: 'preferred' });
      expect(start.body.options.allowCredentials).toBeUndefined();
      const res = await signInWith(t, seed.client.clientId, authenticator, { visitor });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toEqual({
        state: 'SUCCESS',
        sessionToken: expect.any(String),
        stateToken: null,
        identity: { id: seed.user.id, email: seed.email, status: 'ACTIVE' },
      });
      // MFA is on for this user, yet no MFA step follows: the passkey proved both factors.
      const access = await exchangeSessionToken(t, seed.client.clientId, visitor, res.body.sessionToken);
      expect((await t.http.get('/auth/me').set(bearer(access))).status).toBe(200);
      expect(await loginActivityMethods(t, seed.user.id)).toContain('PASSKEY');
      const filtered = await t.http
        .get('/login-activity')
        .query({ filter: JSON.stringify({ where: { authMethod: 'PASSKEY', actor: seed.user.id } }) })
        .set(bearer(access));
      expect(filtered.status).toBe(200);
      expect(filtered.body).toEqual([
        expect.objectContaining({ authMethod: 'PASSKEY', loginType: 'ACCESS' }),
      ]);
    });

    it("with an email: allowCredentials are that account's passkeys", async () => {
      const visitor = await visitorToken(t, seed.client.clientId);
      const start = await signInOptions(t, visitor, seed.email.toUpperCase());
      expect(start.body.options.allowCredentials).toEqual([
        expect.objectContaining({ id: authenticator.id, type: 'public-key' }),
      ]);
      const res = await signInWith(t, seed.client.clientId, authenticator, { email: seed.email });
      expect(res.body.state).toBe('SUCCESS');
    });

    it('refuses a replayed challenge: the same stateToken and assertion a second time', async () => {
      const first = await signInWith(t, seed.client.clientId, authenticator);
      expect(first.status).toBe(200);
      const replay = await t.http
        .post('/auth/v2/login/passkey')
        .set(bearer(first.visitor))
        .send({ stateToken: first.stateToken, credential: first.credential });
      expectError(replay, 401, 'INVALID_PASSKEY');
      // A fresh assertion (a higher counter) of the spent challenge: only single use stops it.
      const fresh = await t.http
        .post('/auth/v2/login/passkey')
        .set(bearer(first.visitor))
        .send({ stateToken: first.stateToken, credential: authenticator.get(first.options) });
      expectError(fresh, 401, 'INVALID_PASSKEY');
    });

    it.each([
      ['a wrong origin', { origin: 'http://localhost:6666' }],
      ['the origin of another site', { origin: 'https://evil.example.net' }],
      ['a wrong RP id', { rpId: 'evil.localhost' }],
      ['no user presence', { up: false }],
      ['a user handle of someone else', { userHandle: Buffer.alloc(16, 7).toString('base64url') }],
    ])('refuses %s with 401 INVALID_PASSKEY', async (_, ceremony) => {
      const res = await signInWith(t, seed.client.clientId, authenticator, { ceremony });
      expectError(res, 401, 'INVALID_PASSKEY');
    });

    it('refuses a signature counter that goes backwards (a cloned authenticator)', async () => {
      const ok = await signInWith(t, seed.client.clientId, authenticator);
      expect(ok.status).toBe(200);
      const res = await signInWith(t, seed.client.clientId, authenticator, {
        ceremony: { counter: authenticator.counter - 1 },
      });
      expectError(res, 401, 'INVALID_PASSKEY');
      // The same counter again is not "moving on" either.
      const same = await signInWith(t, seed.client.clientId, authenticator, {
        ceremony: { counter: authenticator.counter - 1 },
      });
      expectError(same, 401, 'INVALID_PASSKEY');
    });

    it('lets one of two racing assertions with the same counter through, never both', async () => {
      const [one, two] = await Promise.all([1, 2].map(() => visitorToken(t, seed.client.clientId)));
      const starts = await Promise.all([signInOptions(t, one!), signInOptions(t, two!)]);
      const counter = authenticator.counter + 1;
      const answers = starts.map((s) => authenticator.get(s.body.options, { counter }));
      const results = await Promise.all(
        starts.map((s, i) =>
          t.http
            .post('/auth/v2/login/passkey')
            .set(bearer(i === 0 ? one! : two!))
            .send({ stateToken: s.body.stateToken, credential: answers[i] }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('refuses a credential of another user when an email was typed, and an unknown credential', async () => {
      const other = await seedWithPage();
      const res = await signInWith(t, seed.client.clientId, authenticator, { email: other.email });
      expectError(res, 401, 'INVALID_PASSKEY');
      const unknown = await signInWith(t, seed.client.clientId, new SoftAuthenticator(APP_ORIGIN));
      expectError(unknown, 401, 'INVALID_PASSKEY');
      const nobody = await signInWith(t, seed.client.clientId, authenticator, {
        email: `${unique('no')}@example.com`,
      });
      expectError(nobody, 401, 'INVALID_PASSKEY');
    });

    it("refuses a stateToken begun with another client's visitor token", async () => {
      const other = await seedWithPage();
      const start = await signInOptions(t, await visitorToken(t, other.client.clientId));
      const visitor = await visitorToken(t, seed.client.clientId);
      const res = await t.http
        .post('/auth/v2/login/passkey')
        .set(bearer(visitor))
        .send({ stateToken: start.body.stateToken, credential: authenticator.get(start.body.options) });
      expectError(res, 401, 'INVALID_PASSKEY');
    });

    it('applies the membership rules: a locked membership is 403 LOCKED, another tenant 403 NOT_A_MEMBER', async () => {
      const other = await seedWithPage();
      expectError(await signInWith(t, other.client.clientId, authenticator), 403, 'NOT_A_MEMBER');
      await sql(t, `UPDATE membership SET status = 'LOCKED' WHERE user_id = $1`, [seed.user.id]);
      try {
        expectError(await signInWith(t, seed.client.clientId, authenticator), 403, 'LOCKED');
      } finally {
        await sql(t, `UPDATE membership SET status = 'ACTIVE' WHERE user_id = $1`, [seed.user.id]);
      }
    });

    it('needs a Bearer token; malformed bodies are 422', async () => {
      expectError(await t.http.post('/auth/v2/login/passkey/options').send({}), 401, 'UNAUTHORIZED');
      const visitor = await visitorToken(t, seed.client.clientId);
      const post = (path: string, body: unknown) =>
        t.http
          .post(path)
          .set(bearer(visitor))
          .send(body as object);
      expectError(
        await post('/auth/v2/login/passkey/options', { loginId: { email: 'not-an-email' } }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await post('/auth/v2/login/passkey/options', { loginId: 'a@b.c' }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(await post('/auth/v2/login/passkey', { stateToken: 'x' }), 422, 'VALIDATION_FAILED');
      expectError(
        await post('/auth/v2/login/passkey', {
          stateToken: 'x',
          credential: { id: 'AA', rawId: 'AA', type: 'public-key', response: { clientDataJSON: 'AA' } },
        }),
        422,
        'VALIDATION_FAILED',
      );
      const res = await post('/auth/v2/login/passkey', {
        stateToken: 'x',
        credential: {
          id: 'AA',
          rawId: 'AA',
          type: 'public-key',
          response: { clientDataJSON: 'AA', authenticatorData: 'AA', signature: 'AA' },
        },
      });
      expectError(res, 401, 'INVALID_PASSKEY');
    });
  });
});
