import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { generateEncryptionKey } from '../src/config/config.js';
import { signJwt } from '../src/tokens/keys/jwt.js';
import { SigningKeysService } from '../src/tokens/keys/signing-keys.service.js';
import { decodeClaims, expectError, expectTokenResponse } from './support/assertions.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const kidOf = (jwt: string): string =>
  (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now()) + 50));

async function cli(t: TestApp, ...argv: string[]): Promise<Record<string, unknown>> {
  let out = '';
  const code = await runCli(argv, { out: (s) => (out += s), err: (s) => (out += s) }, async () => t.app);
  expect(code, out).toBe(0);
  return JSON.parse(out) as Record<string, unknown>;
}

/**
 * Signing keys are published before they sign (API.md section 7): a relying party that fetched
 * the JWKS just before a rotation knows the new key when it first sees it. `JWKS_MAX_AGE=1` makes
 * the publication lead (twice the max-age) 2 seconds.
 */
describe('OpenID Connect conformance: signing keys are published before they sign', () => {
  const env = { ENCRYPTION_KEY: generateEncryptionKey(), JWKS_MAX_AGE: '1' };
  let t: TestApp;
  let seed: Seed;
  const jwksKids = async (app: TestApp) =>
    ((await app.http.get('/.well-known/jwks.json')).body.keys as { kid: string }[]).map((k) => k.kid);
  const login = async (app: TestApp) =>
    expectTokenResponse(await app.http.post('/auth/login-token').send(loginBody(seed)));

  beforeAll(async () => {
    t = await createTestApp(env);
    seed = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a brand new installation signs at once, and the JWKS max-age is JWKS_MAX_AGE', async () => {
    const before = await login(t);
    expect((await t.http.get('/auth/me').set(bearer(before.accessToken))).status).toBe(200);
    const keys = await sql<{ purpose: string; algorithm: string; early: boolean }>(
      t,
      `SELECT purpose, algorithm, activates_at <= created_at + interval '1 second' AS early FROM signing_key`,
    );
    expect(keys.map((k) => `${k.purpose}:${k.algorithm}`).sort()).toEqual([
      'access:ES256',
      'id_token:ES256',
      'id_token:EdDSA',
      'id_token:RS256',
    ]);
    expect(keys.every((k) => k.early)).toBe(true);
    const res = await t.http.get('/.well-known/jwks.json');
    expect(res.headers['cache-control']).toBe('public, max-age=1');
  });

  it('keys:rotate publishes the new keys at once and signs with them only 2 x max-age later; the old ones stay published', async () => {
    const before = await login(t);
    const oldKid = kidOf(before.accessToken);
    const started = Date.now();
    const rotated = await cli(t, 'keys:rotate');
    const kid = rotated.kid as string;
    const signsFrom = Date.parse(rotated.signsFrom as string);
    expect(signsFrom - started).toBeGreaterThanOrEqual(2000 - 50);
    expect(rotated.kids as string[]).toHaveLength(4);
    // Published at once, but not used yet.
    expect(await jwksKids(t)).toEqual(expect.arrayContaining([oldKid, ...(rotated.kids as string[])]));
    const meanwhile = await login(t);
    expect(kidOf(meanwhile.accessToken)).toBe(oldKid);
    await sleepUntil(signsFrom);
    const after = await login(t);
    expect(kidOf(after.accessToken)).toBe(kid);
    // The old key stays published (its tokens are alive) and keeps verifying.
    expect(await jwksKids(t)).toEqual(expect.arrayContaining([oldKid, kid]));
    expect((await t.http.get('/auth/me').set(bearer(before.accessToken))).status).toBe(200);
    const [old] = await sql<{ ok: boolean }>(
      t,
      `SELECT verify_until >= retired_at + interval '24 hours' AS ok FROM signing_key WHERE kid = $1`,
      [oldKid],
    );
    expect(old!.ok).toBe(true);
  });

  it('an upgraded installation keeps its old tokens and signs with the new keys only once they are published', async () => {
    // The database as the version before this one left it: one key that signed access tokens and
    // ID tokens alike, with `typ: JWT`.
    const db = t.databaseUrl;
    const keys = t.app.get(SigningKeysService);
    const legacyToken = signJwt(decodeClaims((await login(t)).accessToken), keys.accessSigner(), 'JWT');
    const legacyKid = kidOf(legacyToken);
    await sql(t, `DELETE FROM signing_key WHERE kid <> $1`, [legacyKid]);
    await sql(
      t,
      `UPDATE signing_key SET purpose = 'legacy', retired_at = NULL, verify_until = NULL WHERE kid = $1`,
      [legacyKid],
    );
    const upgraded = await createTestApp(env, { databaseUrl: db });
    try {
      // The old token (typ JWT) still works on the new version.
      expect((await upgraded.http.get('/auth/me').set(bearer(legacyToken))).status).toBe(200);
      const rows = await sql<{ kid: string; activates_at: Date }>(
        upgraded,
        `SELECT kid, activates_at FROM signing_key WHERE purpose <> 'legacy'`,
      );
      expect(rows).toHaveLength(4);
      // Published now, signing later: until then the old key signs.
      expect(await jwksKids(upgraded)).toEqual(
        expect.arrayContaining([legacyKid, ...rows.map((r) => r.kid)]),
      );
      const activation = Math.max(...rows.map((r) => r.activates_at.getTime()));
      expect(activation).toBeGreaterThan(Date.now());
      expect(kidOf((await login(upgraded)).accessToken)).toBe(legacyKid);
      await sleepUntil(activation);
      const fresh = await login(upgraded);
      expect(rows.map((r) => r.kid)).toContain(kidOf(fresh.accessToken));
      expect((await upgraded.http.get('/auth/me').set(bearer(legacyToken))).status).toBe(200);
      // A typ JWT token from a key of this version is refused (access tokens say at+jwt).
      const untyped = signJwt(
        decodeClaims(fresh.accessToken),
        upgraded.app.get(SigningKeysService).accessSigner(),
        'JWT',
      );
      expectError(await upgraded.http.get('/auth/me').set(bearer(untyped)), 401, 'UNAUTHORIZED');
    } finally {
      await upgraded.app.close();
    }
  });
});
