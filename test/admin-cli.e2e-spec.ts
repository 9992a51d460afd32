import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner } from './support/cli.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { STRONG_PASSWORD, unique } from './support/fixtures.js';

describe('admin CLI', () => {
  let t: TestApp;
  const { cli, cliWith, json } = cliRunner(() => t);

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('prints help that says to build first', async () => {
    for (const argv of [[], ['help'], ['--help']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(0);
      expect(r.out).toContain('npm run build');
      expect(r.out).toContain('clients:create');
      expect(r.connected).toBe(false);
    }
    const usage = await cli('users:create', '--help');
    expect(usage.out).toContain('--password-hash');
  });

  it('sets up a tenant, role, client and user that can log in over HTTP', async () => {
    const tenant = json(await cli('tenants:create', '--key', unique('cli'), '--name', 'CLI tenant'));
    expect(tenant).toMatchObject({
      id: expect.any(String),
      communityId: expect.any(Number),
      name: 'CLI tenant',
    });
    expect(json(await cli('tenants:list'))).toContainEqual(tenant);

    const role = json(
      await cli(
        'roles:create',
        '--tenant',
        tenant.id,
        '--name',
        'admin',
        '--permissions',
        'ManageAuth, ViewProfile',
      ),
    );
    expect(role).toMatchObject({
      tenantId: tenant.id,
      name: 'admin',
      permissions: ['ManageAuth', 'ViewProfile'],
    });

    const clientId = unique('cli-app');
    const client = json(
      await cli(
        'clients:create',
        '--tenant',
        tenant.id,
        '--client-id',
        clientId,
        '--name',
        'CLI app',
        '--redirect-url',
        'https://cli.example.com/cb',
        '--redirect-url',
        'com.example.cli:/cb',
        '--origin',
        'https://cli.example.com',
        '--mfa-required',
      ),
    );
    expect(client).toMatchObject({
      clientId,
      redirectUrls: ['https://cli.example.com/cb', 'com.example.cli:/cb'],
      allowedOrigins: ['https://cli.example.com'],
      mfaRequired: true,
      public: false,
      clientSecret: expect.stringMatching(/^[\w-]{32,}$/),
    });
    const listed = json(await cli('clients:list', '--tenant', tenant.id));
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty('clientSecret');
    const pub = json(
      await cli(
        'clients:create',
        '--tenant',
        tenant.id,
        '--client-id',
        unique('spa'),
        '--name',
        'SPA',
        '--redirect-url',
        'https://spa.example.com/',
        '--public',
      ),
    );
    expect(pub.clientSecret).toBeNull();
    const chosen = json(
      await cli(
        'clients:create',
        '--tenant',
        tenant.id,
        '--client-id',
        unique('srv'),
        '--name',
        'Server',
        '--redirect-url',
        'https://srv.example.com/',
        '--secret',
        'k'.repeat(40),
      ),
    );
    expect(chosen.clientSecret).toBe('k'.repeat(40));
    // The same from standard input: the secret is never an argument (ps, shell history).
    const piped = json(
      await cliWith(
        { stdin: `${'p'.repeat(40)}\n` },
        'clients:create',
        '--tenant',
        tenant.id,
        '--client-id',
        unique('srv'),
        '--name',
        'Piped',
        '--redirect-url',
        'https://srv.example.com/',
        '--secret-stdin',
      ),
    );
    expect(piped.clientSecret).toBe('p'.repeat(40));

    const address = `${unique('cli')}@example.com`;
    const user = json(
      await cliWith(
        { stdin: `${STRONG_PASSWORD}\n` },
        'users:create',
        '--tenant',
        tenant.id,
        '--email',
        address,
        '--password-stdin',
        '--role',
        'admin',
      ),
    );
    expect(user).toMatchObject({
      email: address,
      tenantId: tenant.id,
      status: 'ACTIVE',
      memberId: expect.any(Number),
    });
    const users = json(await cli('users:list', '--tenant', tenant.id));
    expect(users).toEqual([
      expect.objectContaining({ id: user.id, memberships: [expect.objectContaining({ role: 'admin' })] }),
    ]);

    // mfaRequired applies to the CLI app; the server client logs the user in.
    const login = await t.http.post('/auth/login-token').send({
      client_id: chosen.clientId,
      client_secret: chosen.clientSecret,
      username: address,
      password: STRONG_PASSWORD,
    });
    expect(login.status).toBe(200);
    const roles = await t.http.get('/admin/roles').set('Authorization', `Bearer ${login.body.accessToken}`);
    expect(roles.body.map((r: { id: string }) => r.id)).toEqual([role.id]);
  });

  it('validates like the HTTP routes, naming the flags, before touching the database', async () => {
    const cases: [string[], RegExp][] = [
      [['tenants:create', '--name', 'x'], /^VALIDATION_FAILED: --key: /],
      [
        ['roles:create', '--tenant', 'not a key', '--name', 'r', '--permissions', 'A'],
        /^VALIDATION_FAILED: --tenant: --tenant must be a tenant id \(UUID\) or a tenant key/,
      ],
      // A tenant key passes as such, but the other arguments are still checked first.
      [['roles:create', '--tenant', 'acme', '--name', 'r'], /^VALIDATION_FAILED: --permissions: /],
      [
        [
          'clients:create',
          '--tenant',
          '00000000-0000-4000-8000-000000000000',
          '--client-id',
          'x',
          '--name',
          'x',
          '--redirect-url',
          'javascript:alert(1)',
        ],
        /^VALIDATION_FAILED: --redirect-url: /,
      ],
      [
        [
          'clients:create',
          '--tenant',
          '00000000-0000-4000-8000-000000000000',
          '--client-id',
          'x',
          '--name',
          'x',
          '--redirect-url',
          'https://a.example/',
          '--secret',
          'short',
        ],
        /^VALIDATION_FAILED: --secret: /,
      ],
      [
        [
          'clients:create',
          '--tenant',
          '00000000-0000-4000-8000-000000000000',
          '--secret',
          's'.repeat(40),
          '--secret-stdin',
        ],
        /^INVALID_ARGUMENTS: give either --secret or --secret-stdin/,
      ],
      [['users:create', '--tenant', '00000000-0000-4000-8000-000000000000'], /^VALIDATION_FAILED: --email: /],
      [['users:list', '--limit', '5000'], /^VALIDATION_FAILED: --limit: /],
      [['tenants:create', '--key', 'k', '--name', 'n', '--bogus'], /^INVALID_ARGUMENTS: /],
      [['tenants:create', 'positional'], /^INVALID_ARGUMENTS: /],
      [['tenants:remove'], /^UNKNOWN_COMMAND: /],
    ];
    for (const [argv, pattern] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err, argv.join(' ')).toMatch(pattern);
      expect(r.out).toBe('');
      expect(r.connected).toBe(false);
    }
  });

  it('reports service errors as CODE: message with status 1', async () => {
    const key = unique('dup');
    json(await cli('tenants:create', '--key', key, '--name', 'One'));
    const dup = await cli('tenants:create', '--key', key, '--name', 'Two');
    expect(dup).toMatchObject({ code: 1, out: '' });
    expect(dup.err).toMatch(/^TENANT_KEY_EXISTS: /);
    const tenant = json(await cli('tenants:list'))[0];
    const reserved = await cli(
      'clients:create',
      '--tenant',
      tenant.id,
      '--client-id',
      `headless:${tenant.id}`,
      '--name',
      'x',
      '--redirect-url',
      'https://a.example/',
    );
    expect(reserved).toMatchObject({ code: 1, out: '', connected: true });
    expect(reserved.err).toMatch(
      /^VALIDATION_FAILED: --client-id: client ids starting headless: or console: are reserved/,
    );
    const weak = await cliWith(
      { stdin: 'short' },
      'users:create',
      '--tenant',
      tenant.id,
      '--email',
      `${unique('w')}@example.com`,
      '--password-stdin',
    );
    expect(weak.err).toMatch(/^WEAK_PASSWORD: Password must be at least 12 characters/);
    const missing = await cli(
      'users:create',
      '--tenant',
      '00000000-0000-4000-8000-000000000000',
      '--email',
      'a@example.com',
    );
    expect(missing.err).toBe('NOT_FOUND: Tenant not found\n');
    const role = await cli(
      'users:create',
      '--tenant',
      tenant.id,
      '--email',
      `${unique('r')}@example.com`,
      '--role',
      'ghost',
    );
    expect(role.err).toMatch(/^UNKNOWN_ROLE: /);
  });

  it('refuses an imported hash too costly to verify (argon2 beyond m=65536, t=10, p=4; bcrypt cost beyond 14)', async () => {
    const tenant = json(await cli('tenants:list'))[0];
    const address = `${unique('costly')}@example.com`;
    const costly = [
      '$argon2id$v=19$m=1048576,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
      `$2b$31$${'a'.repeat(53)}`,
    ];
    for (const hash of costly) {
      const r = await cli('users:create', '--tenant', tenant.id, '--email', address, '--password-hash', hash);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^VALIDATION_FAILED: --password-hash: passwordHash: /);
    }
    expect(json(await cli('users:list', '--email', address))).toEqual([]);
  });

  it('rotates the signing key', async () => {
    const before = (await t.http.get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
    const { kid } = json(await cli('keys:rotate'));
    expect(before).not.toContain(kid);
    const after = (await t.http.get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
    expect(after).toEqual(expect.arrayContaining([kid, ...before]));
  });

  it('takes a tenant key (in any letter case) or id wherever it takes --tenant', async () => {
    const key = unique('Keyed');
    const tenant = json(await cli('tenants:create', '--key', key, '--name', 'Keyed'));
    const role = json(
      await cli(
        'roles:create',
        '--tenant',
        key.toUpperCase(),
        '--name',
        'member',
        '--permissions',
        'ViewProfile',
      ),
    );
    expect(role.tenantId).toBe(tenant.id);
    const client = json(
      await cli(
        'clients:create',
        '--tenant',
        key,
        '--client-id',
        unique('keyed'),
        '--name',
        'Keyed app',
        '--redirect-url',
        'https://keyed.example.com/',
        '--public',
      ),
    );
    expect(client.tenantId).toBe(tenant.id);
    expect(json(await cli('clients:list', '--tenant', key))).toEqual([
      expect.objectContaining({ clientId: client.clientId }),
    ]);
    const email = `${unique('keyed')}@example.com`;
    const user = json(await cli('users:create', '--tenant', key, '--email', email, '--role', 'member'));
    expect(user.tenantId).toBe(tenant.id);
    for (const value of [key, tenant.id]) {
      expect(json(await cli('users:list', '--tenant', value)).map((u: { id: string }) => u.id)).toEqual([
        user.id,
      ]);
    }
    const unknown = await cli(
      'roles:create',
      '--tenant',
      'no-such-tenant',
      '--name',
      'r',
      '--permissions',
      'A',
    );
    expect(unknown).toMatchObject({ code: 1, out: '' });
    expect(unknown.err).toBe('NOT_FOUND: No tenant has the key "no-such-tenant" (tenants:list shows them)\n');
  });
});
