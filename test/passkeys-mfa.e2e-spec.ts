import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { bearer, enrollTotp, expectGrantTokens, passwordGrant, sessionAuthMethod } from './support/mfa.js';
import { memberToken, outboxTemplates, registerPasskey, signInWith } from './support/passkeys.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';
import { SoftAuthenticator } from './support/webauthn.js';

/**
 * API.md section 13 with section 8: a passkey as the second factor of the MFA grant, its removal by
 * DELETE /auth/v2/mfa/methods/{id}, and the one budget of second factors (section 12).
 */
const PUBLIC = 'http://localhost:4401';
const APP_ORIGIN = 'http://localhost:5174';

interface Challenge {
  token: string;
  methods: { id: string; type: string; name: string }[];
}

describe('passkeys as a second factor', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL: PUBLIC });
  });
  afterAll(async () => {
    await t?.close();
  });

  const seedWithPage = () => seedTenant(t, { client: { public: true, allowedOrigins: [APP_ORIGIN] } });

  async function challengeFor(seed: Seed): Promise<Challenge> {
    const res = await passwordGrant(t, seed);
    expectError(res, 401, 'MFA_REQUIRED');
    return res.body.mfa as Challenge;
  }

  const options = (token: string, methodId: string) =>
    t.http.post('/auth/v2/oauth1/tokens/mfa/options').send({ token, methodId });
  const grant = (body: Record<string, unknown>) => t.http.post('/auth/v2/oauth1/tokens/mfa').send(body);

  describe('the MFA grant', () => {
    let seed: Seed;
    let authenticator: SoftAuthenticator;
    let methodId: string;
    beforeAll(async () => {
      seed = await seedWithPage();
      authenticator = new SoftAuthenticator(APP_ORIGIN);
      ({ methodId } = await registerPasskey(t, await memberToken(t, seed), authenticator, { name: 'Phone' }));
    });

    it('offers the passkey; options then the assertion give the tokens (authMethod PASSKEY)', async () => {
      const challenge = await challengeFor(seed);
      expect(challenge.methods).toEqual([{ id: methodId, type: 'passkey', name: 'Phone' }]);
      const opts = await options(challenge.token, methodId);
      expect(opts.status).toBe(200);
      expect(opts.headers['cache-control']).toContain('no-store');
      expect(opts.body.options).toMatchObject({ rpId: 'localhost', challenge: expect.any(String) });
      expect(opts.body.options.allowCredentials).toEqual([
        expect.objectContaining({ id: authenticator.id, type: 'public-key' }),
      ]);
      const res = await grant({
        token: challenge.token,
        methodId,
        credential: authenticator.get(opts.body.options),
      });
      const tokens = expectGrantTokens(res);
      expect(tokens.userId).toBe(seed.user.id);
      expect(await sessionAuthMethod(t, tokens.id)).toBe('PASSKEY');
    });

    it('refuses a replayed challenge: an assertion of a spent options challenge, or of another mfa token', async () => {
      const first = await challengeFor(seed);
      const opts = await options(first.token, methodId);
      const credential = authenticator.get(opts.body.options);
      expectGrantTokens(await grant({ token: first.token, methodId, credential }));
      const second = await challengeFor(seed);
      // The same assertion (its challenge spent) and a fresh assertion of the first token's challenge.
      expectError(await grant({ token: second.token, methodId, credential }), 401, 'INVALID_PASSKEY');
      const other = await challengeFor(seed);
      const foreign = await options(other.token, methodId);
      const answer = authenticator.get(foreign.body.options);
      expectError(await grant({ token: second.token, methodId, credential: answer }), 401, 'INVALID_PASSKEY');
      // An options challenge spent by a refused assertion: a fresh, right assertion of it is refused too.
      const mine = await options(second.token, methodId);
      const wrong = authenticator.get(mine.body.options, { origin: 'http://localhost:9999' });
      expectError(await grant({ token: second.token, methodId, credential: wrong }), 401, 'INVALID_PASSKEY');
      const right = authenticator.get(mine.body.options);
      expectError(await grant({ token: second.token, methodId, credential: right }), 401, 'INVALID_PASSKEY');
      const again = await options(second.token, methodId);
      expectGrantTokens(
        await grant({ token: second.token, methodId, credential: authenticator.get(again.body.options) }),
      );
    });

    it('refuses a credential of another user, a wrong origin or RP id, no user presence, an old counter', async () => {
      const other = await seedWithPage();
      const stranger = new SoftAuthenticator(APP_ORIGIN);
      await registerPasskey(t, await memberToken(t, other), stranger);
      const cases = [
        (o: never) => stranger.get(o),
        (o: never) => authenticator.get(o, { origin: 'http://localhost:9999' }),
        (o: never) => authenticator.get(o, { rpId: 'example.com' }),
        (o: never) => authenticator.get(o, { up: false }),
        (o: never) => authenticator.get(o, { counter: 1 }),
      ];
      for (const answer of cases) {
        const challenge = await challengeFor(seed);
        const opts = await options(challenge.token, methodId);
        const res = await grant({
          token: challenge.token,
          methodId,
          credential: answer(opts.body.options as never),
        });
        expectError(res, 401, 'INVALID_PASSKEY');
      }
    });

    it('counts a refusal against the mfa token: 5 and it is spent', async () => {
      const challenge = await challengeFor(seed);
      for (let i = 0; i < 5; i++) {
        const opts = await options(challenge.token, methodId);
        const bad = authenticator.get(opts.body.options, { origin: 'http://localhost:9999' });
        expectError(
          await grant({ token: challenge.token, methodId, credential: bad }),
          401,
          'INVALID_PASSKEY',
        );
      }
      expectError(await options(challenge.token, methodId), 401, 'INVALID_TOKEN');
    });

    it('options: 404 for a method that is not a passkey of the user, 401 INVALID_TOKEN for a bad token', async () => {
      const challenge = await challengeFor(seed);
      expectError(await options(challenge.token, '00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
      expectError(await options(challenge.token, 'not-a-uuid'), 404, 'NOT_FOUND');
      expectError(await options('no-such-token', methodId), 401, 'INVALID_TOKEN');
    });

    it('a code for a passkey method is a wrong code (401 INVALID_MFA_CODE)', async () => {
      const challenge = await challengeFor(seed);
      expectError(await grant({ token: challenge.token, methodId, code: '123456' }), 401, 'INVALID_MFA_CODE');
    });

    it.each([
      ['both code and credential', { code: '123456', credential: {} }],
      ['neither code nor credential', {}],
      ['a credential that is not an object', { credential: [1, 2] }],
      [
        'a credential without a signature',
        {
          credential: {
            id: 'AA',
            rawId: 'AA',
            type: 'public-key',
            response: { clientDataJSON: 'AA', authenticatorData: 'AA' },
          },
        },
      ],
    ])('answers 422 VALIDATION_FAILED for %s', async (_, body) => {
      expectError(await grant({ token: 'x', methodId: 'y', ...body }), 422, 'VALIDATION_FAILED');
    });

    it('options: 422 for a missing methodId or an unknown field', async () => {
      expectError(
        await t.http.post('/auth/v2/oauth1/tokens/mfa/options').send({ token: 'x' }),
        422,
        'VALIDATION_FAILED',
      );
      expectError(
        await t.http
          .post('/auth/v2/oauth1/tokens/mfa/options')
          .send({ token: 'x', methodId: 'y', code: '1' }),
        422,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('DELETE /auth/v2/mfa/methods/{id} of a passkey', () => {
    it('needs the password; then removes it, mails the notice, turns MFA off and ends the other sessions', async () => {
      const seed = await seedWithPage();
      const token = await memberToken(t, seed);
      const authenticator = new SoftAuthenticator(APP_ORIGIN);
      const { methodId } = await registerPasskey(t, token, authenticator, { name: 'Key' });
      const other = (await signInWith(t, seed.client.clientId, authenticator)).body;
      expect(other.state).toBe('SUCCESS');
      const del = (body: Record<string, unknown>) =>
        t.http.delete(`/auth/v2/mfa/methods/${methodId}`).set(bearer(token)).send(body);
      expectError(await del({}), 401, 'INVALID_CREDENTIALS');
      expectError(await del({ password: 'not-the-password-at-all' }), 401, 'INVALID_CREDENTIALS');
      const second = expectGrantTokens(
        await grant({
          ...(await (async () => {
            const c = await challengeFor(seed);
            const o = await options(c.token, methodId);
            return { token: c.token, methodId, credential: authenticator.get(o.body.options) };
          })()),
        }),
      );
      expect((await del({ password: seed.password })).status).toBe(204);
      expect(await outboxTemplates(t, seed.email)).toContain('authenticator-removed');
      const list = await t.http.get('/auth/v2/mfa/methods').set(bearer(token));
      expect(list.body).toEqual([]);
      const [user] = await sql<{ mfa_enabled: boolean }>(
        t,
        `SELECT mfa_enabled FROM app_user WHERE id = $1`,
        [seed.user.id],
      );
      expect(user!.mfa_enabled).toBe(false);
      // The other session (the one proven with the passkey) ended; the caller's goes on.
      expect((await t.http.get('/auth/me').set(bearer(second.accessToken))).status).toBe(401);
      expect((await t.http.get('/auth/me').set(bearer(token))).status).toBe(200);
      expectError(await signInWith(t, seed.client.clientId, authenticator), 401, 'INVALID_PASSKEY');
      expectGrantTokens(await passwordGrant(t, seed));
      expectError(await del({ password: seed.password }), 404, 'NOT_FOUND');
    });

    it('keeps MFA on while an authenticator is left; another user cannot remove it (404)', async () => {
      const seed = await seedWithPage();
      const token = await memberToken(t, seed);
      await enrollTotp(t, token, { password: seed.password });
      const { methodId } = await registerPasskey(t, token, new SoftAuthenticator(APP_ORIGIN));
      const stranger = await seedWithPage();
      const strangerToken = await memberToken(t, stranger);
      const foreign = await t.http
        .delete(`/auth/v2/mfa/methods/${methodId}`)
        .set(bearer(strangerToken))
        .send({ password: stranger.password });
      expectError(foreign, 404, 'NOT_FOUND');
      const res = await t.http
        .delete(`/auth/v2/mfa/methods/${methodId}`)
        .set(bearer(token))
        .send({ password: seed.password });
      expect(res.status).toBe(204);
      expectError(await passwordGrant(t, seed), 401, 'MFA_REQUIRED');
    });

    it('removing the last authenticator keeps MFA on while a passkey is left', async () => {
      const seed = await seedWithPage();
      const token = await memberToken(t, seed);
      const totp = await enrollTotp(t, token, { password: seed.password });
      await registerPasskey(t, token, new SoftAuthenticator(APP_ORIGIN));
      const res = await t.http
        .delete(`/auth/v2/mfa/methods/${totp.methodId}`)
        .set(bearer(token))
        .send({ password: seed.password });
      expect(res.status).toBe(204);
      const challenge = await challengeFor(seed);
      expect(challenge.methods.map((m) => m.type)).toEqual(['passkey']);
    });
  });
});

describe('the login-code flow of section 4 for a member whose factor is a passkey', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL: PUBLIC });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('mails no code as a weaker second factor: verify-otp cannot finish the login', async () => {
    const seed = await seedTenant(t, { client: { allowedOrigins: [APP_ORIGIN] } });
    await registerPasskey(t, await memberToken(t, seed), new SoftAuthenticator(APP_ORIGIN));
    const login = await t.http.post('/auth/login').send(loginBody(seed));
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    expectError(
      await t.http.post('/auth/token').send({ code: login.body.code, clientId: seed.client.clientId }),
      401,
      'MFA_REQUIRED',
    );
    const sent = await t.http
      .post('/auth/send-otp')
      .send({ client_id: seed.client.clientId, client_secret: seed.clientSecret, key: seed.email });
    expect(sent.body).toEqual({ success: true });
    expect(await outboxTemplates(t, seed.email)).not.toContain('otp-code');
    expectError(
      await t.http.post('/auth/verify-otp').send({ key: seed.email, otp: '123456' }),
      401,
      'INVALID_OTP',
    );
  });
});

describe('one budget of second factors (passkey assertions count)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL: PUBLIC, RATE_LIMIT_PER_ACCOUNT: '3' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('wrong passkey sign-ins use up the budget that the right authenticator code then meets (429)', async () => {
    const seed = await seedTenant(t, { client: { public: true, allowedOrigins: [APP_ORIGIN] } });
    const token = await memberToken(t, seed);
    const enrolled = await enrollTotp(t, token, { password: seed.password });
    const authenticator = new SoftAuthenticator(APP_ORIGIN);
    await registerPasskey(t, token, authenticator);
    for (let i = 0; i < 3; i++) {
      const res = await signInWith(t, seed.client.clientId, authenticator, {
        ceremony: { origin: 'http://localhost:1' },
      });
      expectError(res, 401, 'INVALID_PASSKEY');
    }
    const res = await passwordGrant(t, seed);
    const mfa = res.body.mfa as Challenge;
    const totpMethod = mfa.methods.find((m) => m.type === 'totp')!;
    const { code } = await enrolled.totp.next(enrolled.secret);
    const blocked = await t.http
      .post('/auth/v2/oauth1/tokens/mfa')
      .send({ token: mfa.token, methodId: totpMethod.id, code });
    expectError(blocked, 429, 'TOO_MANY_REQUESTS');
    // The right passkey meets the same budget.
    expectError(await signInWith(t, seed.client.clientId, authenticator), 429, 'TOO_MANY_REQUESTS');
  });
});
