import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { SecretBox, sealedAt } from '../src/common/crypto/secret-box.js';
import { generateEncryptionKey } from '../src/config/config.js';
import { SEALED_COLUMNS } from '../src/admin/reencrypt.service.js';
import { createTestApp, freshDatabase, sql, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { expectTokenResponse } from './support/assertions.js';
import { until } from './support/wait.js';

/** A value in the format written before values were bound to their row (`v1`, no associated data). */
function legacyV1(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
  return ['v1', SecretBox.keyId(key), ...parts].join('.');
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const kidOf = (jwt: string): string =>
  (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

/** Runs one CLI command in process against a running app (the command code itself, no build). */
async function cli(t: TestApp, ...argv: string[]): Promise<unknown> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => (out += s), err: (s) => (err += s) }, async () => t.app);
  expect(err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out);
}

describe('signing key rotation through `npm run cli -- keys:rotate`', () => {
  let a: TestApp;
  let b: TestApp;
  let seed: Seed;

  beforeAll(async () => {
    // JWKS_MAX_AGE=1: a rotated key is published at once and signs 2 s later (twice the max-age).
    const env = { ENCRYPTION_KEY: generateEncryptionKey(), JWKS_MAX_AGE: '1' };
    a = await createTestApp(env);
    b = await createTestApp(env, { databaseUrl: a.databaseUrl });
    seed = await seedTenant(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('old tokens keep verifying on every instance, new ones carry the new kid', async () => {
    const before = expectTokenResponse(await a.http.post('/auth/login-token').send(loginBody(seed)));
    const { kid, signsFrom } = (await cli(a, 'keys:rotate')) as { kid: string; signsFrom: string };
    expect(kidOf(before.accessToken)).not.toBe(kid);
    // Published on both instances before it signs anything; until then the old key signs.
    for (const app of [a, b]) {
      await until(async () => {
        const keys = (await app.http.get('/.well-known/jwks.json')).body.keys as { kid: string }[];
        return keys.some((k) => k.kid === kid);
      }, 1000);
    }
    const meanwhile = expectTokenResponse(await a.http.post('/auth/login-token').send(loginBody(seed)));
    expect(kidOf(meanwhile.accessToken)).toBe(kidOf(before.accessToken));
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(signsFrom) - Date.now()) + 50));

    const after = expectTokenResponse(await a.http.post('/auth/login-token').send(loginBody(seed)));
    expect(kidOf(after.accessToken)).toBe(kid);
    // The other instance hears of the new key (NOTIFY) and signs with it too.
    await until(async () => {
      const r = await b.http.post('/auth/login-token').send(loginBody(seed));
      return kidOf(r.body.accessToken as string) === kid;
    }, 5000);
    for (const app of [a, b]) {
      expect((await app.http.get('/auth/me').set(bearer(before.accessToken))).status).toBe(200);
      expect((await app.http.get('/auth/me').set(bearer(after.accessToken))).status).toBe(200);
      const jwks = (await app.http.get('/.well-known/jwks.json')).body.keys.map(
        (k: { kid: string }) => k.kid,
      );
      expect(jwks).toEqual(expect.arrayContaining([kid, kidOf(before.accessToken)]));
    }
    // A refresh token from before the rotation still refreshes, now signed with the new key.
    const refreshed = expectTokenResponse(
      await b.http.post('/auth/token-refresh').send({ refreshToken: before.refreshToken }),
    );
    expect(kidOf(refreshed.accessToken)).toBe(kid);

    // The retired key stays published only until its tokens have expired.
    const [retired] = await sql<{ ok: boolean }>(
      a,
      `SELECT verify_until > now() AND retired_at IS NOT NULL AS ok FROM signing_key WHERE kid = $1`,
      [kidOf(before.accessToken)],
    );
    expect(retired?.ok).toBe(true);
  });
});

describe('ENCRYPTION_KEY rotation through `npm run cli -- reencrypt`', () => {
  const keyA = generateEncryptionKey();
  const keyB = generateEncryptionKey();
  const boxA = new SecretBox(Buffer.from(keyA, 'base64'));
  const boxB = new SecretBox(Buffer.from(keyB, 'base64'));
  const env = { RATE_LIMIT_PER_IP: '100000' };
  let databaseUrl: string;
  let drop: () => Promise<void>;
  let app: TestApp | undefined;
  let seed: Seed;
  let oldTokens: { accessToken: string; refreshToken: string };
  const plain = { otp: '{"purpose":"test"}', recipient: 'someone@example.com', totp: 'JBSWY3DPEHPK3PXP' };
  const ids = { ott: randomUUID(), mail: randomUUID(), mfa: randomUUID() };

  const boot = async (extra: Record<string, string>) => {
    await app?.close();
    app = await createTestApp({ ...env, ...extra }, { databaseUrl });
    return app;
  };
  /** Every non-null sealed value in the database, with where it lives. */
  const sealedValues = async (t: TestApp) => {
    const all: { where: string; value: string; context: string }[] = [];
    for (const c of SEALED_COLUMNS) {
      const rows = await sql<{ k: string; v: string }>(
        t,
        `SELECT ${c.key}::text AS k, ${c.column} AS v FROM ${c.table} WHERE ${c.column} IS NOT NULL`,
      );
      for (const r of rows) {
        all.push({ where: `${c.table}.${c.column}`, value: r.v, context: sealedAt(c.table, c.column, r.k) });
      }
    }
    return all;
  };
  /** Logs in, reads /auth/me, refreshes, and reads the tenant's login activity with its sealed fields opened. */
  const exercise = async (t: TestApp, tokens: { accessToken: string }) => {
    expect((await t.http.get('/auth/me').set(bearer(tokens.accessToken))).status).toBe(200);
    const fresh = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
    expect((await t.http.get('/auth/me').set(bearer(fresh.accessToken))).status).toBe(200);
    expectTokenResponse(await t.http.post('/auth/token-refresh').send({ refreshToken: fresh.refreshToken }));
    const activity = await until(async () => {
      const r = await t.http
        .get('/login-activity')
        .set(bearer(fresh.accessToken))
        .query({ filter: JSON.stringify({ limit: 1000 }) });
      expect(r.status).toBe(200);
      const rows = r.body as { tokenPayload: string | null; ipAddress: string | null }[];
      return rows.length >= 3 ? rows : undefined;
    }, 5000);
    for (const row of activity) {
      expect(row.tokenPayload, 'every token payload decrypts').toEqual(expect.stringContaining('"sub"'));
      expect(row.ipAddress, 'every IP decrypts').toEqual(expect.any(String));
    }
  };

  beforeAll(async () => {
    const db = await freshDatabase();
    databaseUrl = db.url;
    drop = db.drop;
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  it('under key A: data written (signing key, sessions, login activity, OTT, outbox, MFA, provider tokens)', async () => {
    const t = await boot({ ENCRYPTION_KEY: keyA });
    seed = await seedTenant(t, { permissions: ['ViewProfile', 'ViewLoginActivity'] });
    oldTokens = expectTokenResponse(await t.http.post('/auth/login-token').send(loginBody(seed)));
    // Sealed columns no route of this test writes: sealed under A the way the services do (bound to
    // their row), and the authenticator secret as a v1 value from before that binding existed.
    await sql(
      t,
      `INSERT INTO one_time_token (id, purpose, token_hash, user_id, data_enc, expires_at)
       VALUES ($3, 'test', uuid_send(gen_random_uuid()), $1, $2, now() + interval '1 day')`,
      [seed.user.id, boxA.encrypt(plain.otp, sealedAt('one_time_token', 'data_enc', ids.ott)), ids.ott],
    );
    await sql(
      t,
      `INSERT INTO notification_outbox (id, channel, recipient_enc, recipient_hash, template, data_enc, status)
                  VALUES ($3, 'email', $1, '\\x00', 'test', $2, 'failed')`,
      [
        boxA.encrypt(plain.recipient, sealedAt('notification_outbox', 'recipient_enc', ids.mail)),
        boxA.encrypt('{}', sealedAt('notification_outbox', 'data_enc', ids.mail)),
        ids.mail,
      ],
    );
    // An unconfirmed authenticator, so password login still needs no second factor.
    await sql(
      t,
      `INSERT INTO mfa_method (id, user_id, type, name, secret_enc) VALUES ($3, $1, 'totp', 'phone', $2)`,
      [seed.user.id, legacyV1(Buffer.from(keyA, 'base64'), plain.totp), ids.mfa],
    );
    const [cred] = await sql<{ id: string }>(t, `SELECT id FROM user_credential WHERE user_id = $1 LIMIT 1`, [
      seed.user.id,
    ]);
    await sql(
      t,
      `INSERT INTO social_provider_token (credential_id, user_id, provider, tokens_enc) VALUES ($1, $2, 'test', $3)`,
      [
        cred!.id,
        seed.user.id,
        boxA.encrypt('{"refreshToken":"r"}', sealedAt('social_provider_token', 'tokens_enc', cred!.id)),
      ],
    );
    await exercise(t, oldTokens);

    const values = await sealedValues(t);
    const where = new Set(values.map((v) => v.where));
    for (const c of SEALED_COLUMNS)
      expect(where, 'a value in every sealed column').toContain(`${c.table}.${c.column}`);
    for (const v of values) expect(boxB.isStale(v.value)).toBe(true);
  });

  it('restarted with ENCRYPTION_KEY=B and ENCRYPTION_KEY_PREVIOUS=A: keeps working; new values are sealed under B', async () => {
    const t = await boot({ ENCRYPTION_KEY: keyB, ENCRYPTION_KEY_PREVIOUS: keyA });
    await exercise(t, oldTokens);
    // During a rolling restart an instance still on A (with B as its previous key, README step 1)
    // serves beside it and reads what the B instance wrote, and the other way round.
    const old = await createTestApp(
      { ...env, ENCRYPTION_KEY: keyA, ENCRYPTION_KEY_PREVIOUS: keyB },
      { databaseUrl },
    );
    try {
      await exercise(old, oldTokens);
      await exercise(t, oldTokens);
    } finally {
      await old.close();
    }
    const values = await sealedValues(t);
    expect(
      values.some((v) => !boxB.isStale(v.value)),
      'new writes use B',
    ).toBe(true);
    expect(
      values.some((v) => boxB.isStale(v.value)),
      'old values are still under A',
    ).toBe(true);
  });

  it('reencrypt rewrites everything under B, prints counts per column, and a second run finds nothing', async () => {
    const t = app!;
    const staleBefore = (await sealedValues(t)).filter((v) => boxB.isStale(v.value)).length;
    const report = (await cli(t, 'reencrypt')) as {
      columns: Record<string, { rewritten: number; skipped: number; unreadable: number }>;
      rewritten: number;
      unreadable: number;
    };
    expect(report.unreadable).toBe(0);
    expect(report.rewritten).toBe(staleBefore);
    expect(Object.keys(report.columns).sort()).toEqual(
      SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort(),
    );
    expect(report.columns['signing_key.private_key_enc']!.rewritten).toBeGreaterThanOrEqual(1);
    expect(report.columns['login_activity.token_payload_enc']!.rewritten).toBeGreaterThanOrEqual(1);

    for (const v of await sealedValues(t)) expect(boxB.isStale(v.value), v.where).toBe(false);
    const again = (await cli(t, 'reencrypt')) as { rewritten: number; unreadable: number };
    expect(again).toMatchObject({ rewritten: 0, unreadable: 0 });
    // The service keeps working while (and after) it runs.
    await exercise(t, oldTokens);
  });

  it('an instance with only ENCRYPTION_KEY=B works: signing key, tokens, login activity, every secret opens', async () => {
    const t = await boot({ ENCRYPTION_KEY: keyB });
    await exercise(t, oldTokens);
    expectTokenResponse(
      await t.http.post('/auth/token-refresh').send({ refreshToken: oldTokens.refreshToken }),
    );
    const [ott] = await sql<{ v: string }>(
      t,
      `SELECT data_enc AS v FROM one_time_token WHERE purpose = 'test'`,
    );
    expect(boxB.decrypt(ott!.v, sealedAt('one_time_token', 'data_enc', ids.ott))).toBe(plain.otp);
    const [mail] = await sql<{ v: string }>(
      t,
      `SELECT recipient_enc AS v FROM notification_outbox WHERE template = 'test'`,
    );
    expect(boxB.decrypt(mail!.v, sealedAt('notification_outbox', 'recipient_enc', ids.mail))).toBe(
      plain.recipient,
    );
    // The v1 value was rewritten as v2, bound to its row: it opens there and nowhere else.
    const [mfa] = await sql<{ v: string }>(t, `SELECT secret_enc AS v FROM mfa_method WHERE name = 'phone'`);
    expect(mfa!.v).toMatch(/^v2\./);
    expect(boxB.decrypt(mfa!.v, sealedAt('mfa_method', 'secret_enc', ids.mfa))).toBe(plain.totp);
    expect(() => boxB.decrypt(mfa!.v, sealedAt('mfa_method', 'secret_enc', randomUUID()))).toThrow();
    // And nothing opens with A alone any more.
    for (const v of await sealedValues(t)) expect(() => boxA.decrypt(v.value, v.context)).toThrow();
  });
});
