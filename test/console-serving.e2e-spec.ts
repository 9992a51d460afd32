import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEncryptionKey } from '../src/config/config.js';
import { expectError } from './support/assertions.js';
import { seedTenant, Seed, unique } from './support/fixtures.js';
import { pkcePair } from './support/headless.js';
import { createTestApp, freshDatabase, sql, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';

const KEY = `Bearer ${TEST_ADMIN_KEY}`;
const PUBLIC_URL = 'https://auth.example.com/base';
const HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Admin console</title>
<script type="module" crossorigin src="/console/assets/index-abc123.js"></script>
<link rel="stylesheet" crossorigin href="/console/assets/index-def456.css"></head><body><div id="app"></div></body></html>`;

/** A console build of two files, enough to check how the service serves it (vite itself is tested in the browser spec). */
function fakeBuild(): string {
  const dir = resolve(import.meta.dirname, '..', '.data', unique('console-fake'));
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), HTML);
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("console")');
  writeFileSync(join(dir, 'assets', 'index-def456.css'), 'body{margin:0}');
  return dir;
}

function pageConfig(html: string): Record<string, unknown> {
  const m = /<meta name="console-config" content="([^"]*)">/.exec(html);
  expect(m, html).not.toBeNull();
  const json = m![1]!
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
  return JSON.parse(json.replace(/&amp;/g, '&'));
}

describe('the admin console: serving, CSP, and the reserved console:<tenantId> client', () => {
  let t: TestApp;
  let seed: Seed;
  let dir: string;

  beforeAll(async () => {
    dir = fakeBuild();
    t = await createTestApp({ CONSOLE_DIR: dir, PUBLIC_URL });
    seed = await seedTenant(t, { permissions: ['ManageAuth'] });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const consoleClient = async (tenantId: string) =>
    (
      await sql<{
        client_id: string;
        is_public: boolean;
        secret_hash: string | null;
        redirect_urls: string[];
        allowed_origins: string[];
        allow_sign_up: boolean;
      }>(
        t,
        'SELECT client_id, is_public, secret_hash, redirect_urls, allowed_origins, allow_sign_up FROM auth_client WHERE client_id = $1',
        [`console:${tenantId}`],
      )
    )[0];

  it('every tenant has its public console client, also one created after start-up through the admin route', async () => {
    const created = await t.http
      .post('/admin/tenants')
      .set('Authorization', KEY)
      .send({ key: unique('late'), name: 'Late' });
    expect(created.status).toBe(201);
    for (const tenantId of [seed.tenant.id, created.body.id as string]) {
      const client = await consoleClient(tenantId);
      expect(client).toMatchObject({ is_public: true, secret_hash: null, allow_sign_up: false });
    }
    // From the start its redirect URLs and origin are on PUBLIC_URL (the defaults written at start-up).
    expect(await consoleClient(created.body.id)).toMatchObject({
      redirect_urls: [`${PUBLIC_URL}/console/callback`, `${PUBLIC_URL}/console/signed-out`],
      allowed_origins: ['https://auth.example.com'],
    });
    const shown = await t.http.get(`/admin/clients/console:${created.body.id}`).set('Authorization', KEY);
    expect(shown.body).toMatchObject({
      public: true,
      allowSignUp: false,
      redirectUrls: [`${PUBLIC_URL}/console/callback`, `${PUBLIC_URL}/console/signed-out`],
    });
  });

  it("serves a tenant's page with a strict CSP, no cache, and its configuration in a meta tag", async () => {
    for (const path of [
      `/console/t/${seed.tenant.key}`,
      `/console/t/${seed.tenant.key.toUpperCase()}/users/x`,
    ]) {
      const res = await t.http.get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-frame-options']).toBe('DENY');
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|nonce-/);
      // No inline script or style: every script has a src, there is no <style>.
      expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(res.text).not.toMatch(/<style/);
      // PUBLIC_URL has a path: asset URLs follow it.
      expect(res.text).toContain('src="/base/console/assets/index-abc123.js"');
      expect(pageConfig(res.text)).toEqual({
        baseUrl: PUBLIC_URL,
        basePath: '/base',
        tenant: { id: seed.tenant.id, key: seed.tenant.key, name: seed.tenant.name },
        clientId: `console:${seed.tenant.id}`,
        redirectUri: `${PUBLIC_URL}/console/callback`,
        signedOutUrl: `${PUBLIC_URL}/console/signed-out`,
        error: null,
      });
    }
  });

  it('an unknown tenant key answers 404 with the page, which says so; other console paths too', async () => {
    const unknown = await t.http.get('/console/t/no-such-tenant');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-security-policy']).toContain("script-src 'self'");
    expect(pageConfig(unknown.text)).toMatchObject({ tenant: null, clientId: null, error: 'unknown-tenant' });
    const tooLong = await t.http.get(`/console/t/${'k'.repeat(300)}`);
    expect(tooLong.status).toBe(404);
    const other = await t.http.get('/console/elsewhere/deep');
    expect(other.status).toBe(404);
    expect(pageConfig(other.text)).toMatchObject({ error: 'not-found' });
    for (const path of ['/console', '/console/callback', '/console/signed-out']) {
      const res = await t.http.get(path);
      expect(res.status, path).toBe(200);
      expect(pageConfig(res.text)).toMatchObject({ tenant: null, error: null });
    }
  });

  it('serves hashed assets with a long cache, and nothing outside the assets folder', async () => {
    const js = await t.http.get('/console/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    // Compressed for browsers that say they take gzip, plain for the others.
    const zipped = await t.http.get('/console/assets/index-abc123.js').set('Accept-Encoding', 'gzip, br');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toContain('Accept-Encoding');
    expect(zipped.text).toBe('console.log("console")');
    const plain = await t.http.get('/console/assets/index-abc123.js').set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe('console.log("console")');
    const css = await t.http.get('/console/assets/index-def456.css');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    for (const path of [
      '/console/assets/missing-000.js',
      '/console/assets/..%2findex.html',
      '/console/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/console/assets/index.html',
      '/console/assets/.hidden.js',
    ]) {
      const res = await t.http.get(path);
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain('<html');
    }
  });

  it('the console client is the service own: a ManageAuth token or the admin key cannot change, rotate or delete it', async () => {
    const token = await t.http
      .post('/auth/v2/oauth1/tokens')
      .send({ email: seed.email, password: seed.password, clientId: seed.client.clientId });
    const manageAuth = `Bearer ${token.body.accessToken}`;
    const id = `console:${seed.tenant.id}`;
    for (const auth of [manageAuth, KEY]) {
      expectError(
        await t.http.patch(`/admin/clients/${id}`).set('Authorization', auth).send({ name: 'Mine' }),
        403,
        'FORBIDDEN',
      );
      expectError(
        await t.http.post(`/admin/clients/${id}/secret`).set('Authorization', auth).send({}),
        403,
        'FORBIDDEN',
      );
      expectError(await t.http.delete(`/admin/clients/${id}`).set('Authorization', auth), 403, 'FORBIDDEN');
    }
    // Nor may another client take a reserved id.
    expectError(
      await t.http
        .patch(`/admin/clients/${seed.client.clientId}`)
        .set('Authorization', KEY)
        .send({ clientId: `Console:${seed.tenant.id}x` }),
      400,
      'VALIDATION_FAILED',
    );
    expect((await t.http.get(`/admin/clients/${id}`).set('Authorization', manageAuth)).body.name).toBe(
      'Admin console',
    );
    // It is not listed among the tenant's clients.
    const listed = await t.http.get('/admin/clients').set('Authorization', manageAuth);
    expect(listed.body.map((c: { clientId: string }) => c.clientId)).toEqual([seed.client.clientId]);
  });

  it('the authorization server treats it as any public client: PKCE, its registered redirect URI only', async () => {
    const { challenge } = pkcePair();
    const query = (redirect: string) =>
      new URLSearchParams({
        response_type: 'code',
        client_id: `console:${seed.tenant.id}`,
        redirect_uri: redirect,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 's',
      });
    const ok = await t.http.get(`/oauth2/authorize?${query(`${PUBLIC_URL}/console/callback`)}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('Admin console');
    const bad = await t.http.get(`/oauth2/authorize?${query('https://evil.example.com/console/callback')}`);
    expectError(bad, 400, 'INVALID_REDIRECT_URI');
  });

  it('a console that was never built answers 503 with a hint, not a crash', async () => {
    const empty = resolve(import.meta.dirname, '..', '.data', unique('console-empty'));
    mkdirSync(empty, { recursive: true });
    const bare = await createTestApp({ CONSOLE_DIR: empty });
    try {
      const res = await bare.http.get('/console');
      expect(res.status).toBe(503);
      expect(res.text).toContain('npm run build');
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the console clients follow PUBLIC_URL across restarts', () => {
  it('a restart with another PUBLIC_URL rewrites every console client at start-up', async () => {
    const db = await freshDatabase();
    const key = generateEncryptionKey();
    try {
      const first = await createTestApp(
        { PUBLIC_URL: 'https://old.example.com', ENCRYPTION_KEY: key },
        { databaseUrl: db.url },
      );
      const seeded = await seedTenant(first);
      const [before] = await sql<{ redirect_urls: string[] }>(
        first,
        'SELECT redirect_urls FROM auth_client WHERE client_id = $1',
        [`console:${seeded.tenant.id}`],
      );
      expect(before!.redirect_urls[0]).toBe('https://old.example.com/console/callback');
      await first.close();
      const second = await createTestApp(
        { PUBLIC_URL: 'https://new.example.com', ENCRYPTION_KEY: key },
        { databaseUrl: db.url },
      );
      try {
        const [row] = await sql<{ redirect_urls: string[]; allowed_origins: string[] }>(
          second,
          'SELECT redirect_urls, allowed_origins FROM auth_client WHERE client_id = $1',
          [`console:${seeded.tenant.id}`],
        );
        expect(row).toEqual({
          redirect_urls: [
            'https://new.example.com/console/callback',
            'https://new.example.com/console/signed-out',
          ],
          allowed_origins: ['https://new.example.com'],
        });
      } finally {
        await second.close();
      }
    } finally {
      await db.drop();
    }
  });
});
