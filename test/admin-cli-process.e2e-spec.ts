import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';
import { STRONG_PASSWORD, unique } from './support/fixtures.js';
import { until } from './support/wait.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
/** Each test starts the compiled CLI (an application context) a few times: seconds each on a busy machine. */
const SPAWNING = 120_000;
/** util-linux `script` runs a command on a pseudo-terminal: the only way to type at a real prompt. */
const HAS_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * The compiled CLI as a user runs it: `node dist/src/cli/main.js`, `npm run -s cli`, with a
 * real terminal and real standard input. Compiled into a private folder, so a `dist/` someone is
 * running is left alone.
 */
describe('admin CLI, built and run as a process', () => {
  let t: TestApp;
  const id = randomBytes(4).toString('hex');
  const outDir = join(ROOT, '.data', `cli-build-${id}`);
  const main = join(outDir, 'src/cli/main.js');
  const env = () => ({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: t.databaseUrl,
    ENCRYPTION_KEY: t.config.encryptionKey!.toString('base64'),
    LOG_LEVEL: 'error',
  });
  type Result = { code: number; stdout: string; stderr: string };
  const settle = (p: Promise<{ stdout: string; stderr: string }>): Promise<Result> =>
    p.then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );
  const node = (...args: string[]) =>
    settle(run(process.execPath, [main, ...args], { cwd: ROOT, env: env(), timeout: 60_000 }));

  /** Runs `argv` with `stdin` piped in. */
  const nodeWithStdin = (stdin: string, ...args: string[]) =>
    new Promise<Result>((done) => {
      const child = execFile(
        process.execPath,
        [main, ...args],
        { cwd: ROOT, env: env(), timeout: 60_000 },
        (err, stdout, stderr) =>
          done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin!.end(stdin);
    });

  beforeAll(async () => {
    t = await createTestApp();
    await run(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
      { cwd: ROOT },
    );
  }, 180_000);
  afterAll(async () => {
    rmSync(outDir, { recursive: true, force: true });
    await t?.close();
  });

  it(
    'creates a tenant in the configured database and exits 0',
    async () => {
      const key = unique('spawned');
      const r = await node('tenants:create', '--key', key, '--name', 'Spawned');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const tenant = JSON.parse(r.stdout);
      expect(tenant).toMatchObject({ key, communityId: expect.any(Number) });
      const seen = await t.http
        .get(`/admin/tenants/${tenant.id}`)
        .set('Authorization', `Bearer ${TEST_ADMIN_KEY}`);
      expect(seen.body).toEqual(tenant);

      const dup = await node('tenants:create', '--key', key, '--name', 'Again');
      expect(dup.code).toBe(1);
      expect(dup.stdout).toBe('');
      expect(dup.stderr).toMatch(/^TENANT_KEY_EXISTS: /);
    },
    SPAWNING,
  );

  it(
    'answers help and bad arguments without a database',
    async () => {
      const help = await run(process.execPath, [main, 'help'], {
        env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      });
      expect(help.stdout).toContain('npm run build');
      const bad = await node('roles:create', '--tenant', 'not a key');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^VALIDATION_FAILED: --tenant: /);
    },
    SPAWNING,
  );

  it(
    'prints pure JSON through `npm run -s cli`, so it pipes into jq',
    async () => {
      // A package whose `cli` script is the repository's own, over this private build.
      const pkg = join(ROOT, '.data', `cli-package-${id}`);
      mkdirSync(pkg, { recursive: true });
      const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      };
      writeFileSync(
        join(pkg, 'package.json'),
        JSON.stringify({ name: 'cli-check', type: 'module', scripts: { cli: scripts.cli } }),
      );
      symlinkSync(outDir, join(pkg, 'dist'));
      try {
        const key = unique('npm');
        json(
          await settle(
            run('npm', ['run', '-s', 'cli', '--', 'tenants:create', '--key', key, '--name', 'Npm'], {
              cwd: pkg,
              env: env(),
            }),
          ),
        );
        const listed = json(
          await settle(run('npm', ['run', '-s', 'cli', '--', 'tenants:list'], { cwd: pkg, env: env() })),
        );
        expect(listed).toContainEqual(expect.objectContaining({ key }));
        const failed = await settle(
          run('npm', ['run', '-s', 'cli', '--', 'roles:create', '--tenant', key], { cwd: pkg, env: env() }),
        );
        expect(failed.code).not.toBe(0);
        expect(failed.stdout).toBe('');
        expect(failed.stderr).toMatch(/^VALIDATION_FAILED: --name: /);
      } finally {
        rmSync(pkg, { recursive: true, force: true });
      }

      function json(r: Result): unknown {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        return JSON.parse(r.stdout); // throws on anything but JSON (such as npm's "> auth-bff@0.1.0 cli" banner)
      }
    },
    SPAWNING,
  );

  it(
    'reads --password-stdin from a pipe',
    async () => {
      const tenant = unique('stdin');
      await node('tenants:create', '--key', tenant, '--name', 'Stdin');
      const email = `${unique('stdin')}@example.com`;
      const r = await nodeWithStdin(
        `${STRONG_PASSWORD}\n`,
        'users:create',
        '--tenant',
        tenant,
        '--email',
        email,
        '--password-stdin',
      );
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toMatchObject({ email, status: 'ACTIVE' });
      const noTty = await nodeWithStdin(
        '',
        'users:create',
        '--tenant',
        tenant,
        '--email',
        `${unique('x')}@example.com`,
        '--password',
      );
      expect(noTty.code).toBe(1);
      expect(noTty.stderr).toMatch(/^INVALID_ARGUMENTS: --password asks on a terminal/);
    },
    SPAWNING,
  );

  it(
    'runs the migrations through `npm run migration:run` with DATABASE_URL alone',
    async () => {
      // A package whose `migration:*` scripts are the repository's own, over this private build.
      const pkg = join(ROOT, '.data', `cli-migrations-${id}`);
      mkdirSync(pkg, { recursive: true });
      const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      };
      writeFileSync(
        join(pkg, 'package.json'),
        JSON.stringify({
          name: 'migrations-check',
          type: 'module',
          scripts: {
            'migration:run': scripts['migration:run'],
            'migration:revert': scripts['migration:revert'],
          },
        }),
      );
      symlinkSync(outDir, join(pkg, 'dist'));
      // No ENCRYPTION_KEY nor ADMIN_API_KEY, even in production: the step needs only the database.
      const onlyTheDatabase = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        NODE_ENV: 'production',
        DATABASE_URL: t.databaseUrl,
      };
      const npm = (script: string) =>
        settle(run('npm', ['run', '-s', script], { cwd: pkg, env: onlyTheDatabase, timeout: 60_000 }));
      try {
        const reverted = await npm('migration:revert');
        expect(reverted.stderr).toBe('');
        const { reverted: name } = JSON.parse(reverted.stdout) as { reverted: string };
        expect(name).toMatch(/\d{13}$/);
        const applied = await npm('migration:run');
        expect(applied.stderr).toBe('');
        expect(applied.code).toBe(0);
        expect(JSON.parse(applied.stdout)).toEqual({ applied: [name] });
      } finally {
        rmSync(pkg, { recursive: true, force: true });
      }
    },
    SPAWNING,
  );

  it.skipIf(!HAS_SCRIPT)(
    'asks for --password on a terminal without echoing it',
    async () => {
      const tenant = unique('tty');
      await node('tenants:create', '--key', tenant, '--name', 'Terminal');
      const client = unique('tty');
      await node(
        'clients:create',
        '--tenant',
        tenant,
        '--client-id',
        client,
        '--name',
        'Terminal app',
        '--redirect-url',
        'https://tty.example.com/',
        '--public',
      );
      const email = `${unique('tty')}@example.com`;
      const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
      const command = [
        process.execPath,
        main,
        'users:create',
        '--tenant',
        tenant,
        '--email',
        email,
        '--password',
      ]
        .map(quote)
        .join(' ');
      const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: env(), stdio: 'pipe' });
      let screen = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
      const exited = new Promise<number>((done) => child.on('exit', (code) => done(code ?? 1)));
      await until(async () => screen.includes('Password: '), 60_000);
      child.stdin.write(`${STRONG_PASSWORD}\r`);
      await until(async () => screen.includes('Password (again): '), 10_000);
      child.stdin.write(`${STRONG_PASSWORD}\r`);
      expect(await exited).toBe(0);
      child.stdin.end();
      expect(screen).not.toContain(STRONG_PASSWORD);
      expect(screen).not.toContain('*');
      const user = JSON.parse(screen.slice(screen.indexOf('{'), screen.lastIndexOf('}') + 1));
      expect(user).toMatchObject({ email, status: 'ACTIVE' });
      const login = await t.http
        .post('/auth/login-token')
        .send({ client_id: client, username: email, password: STRONG_PASSWORD });
      expect(login.status).toBe(200);
    },
    SPAWNING,
  );
});
