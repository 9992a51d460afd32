import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner } from './support/cli.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { STRONG_PASSWORD, unique } from './support/fixtures.js';

/** The CLI's credentials: headless tokens, and passwords that never travel as arguments. */
describe('admin CLI: headless tokens and passwords', () => {
  let t: TestApp;
  const { cli, cliWith, json } = cliRunner(() => t);

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates, lists and revokes headless tokens', async () => {
    const key = unique('headless');
    const tenant = json(await cli('tenants:create', '--key', key, '--name', 'Headless'));
    const email = `${unique('member')}@example.com`;
    const member = json(await cli('users:create', '--tenant', key, '--email', email));
    const created = json(await cli('headless-tokens:create', '--tenant', key, '--name', 'community backend'));
    expect(created).toMatchObject({
      id: expect.any(String),
      name: 'community backend',
      tenantId: tenant.id,
      clientId: null,
      token: expect.stringMatching(/^hdls_/),
    });
    const listed = json(await cli('headless-tokens:list', '--tenant', key));
    expect(listed).toEqual([expect.objectContaining({ id: created.id, name: 'community backend' })]);
    expect(listed[0]).not.toHaveProperty('token');

    const memberTokens = () =>
      t.http
        .post('/api/v1/headless/auth_token')
        .set('Authorization', `Bearer ${created.token}`)
        .send({ email });
    const tokens = await memberTokens();
    expect(tokens.status).toBe(200);
    expect(tokens.body.community_member_id).toBe(member.memberId);

    expect(json(await cli('headless-tokens:revoke', '--id', created.id))).toEqual({
      id: created.id,
      revoked: true,
    });
    expect((await memberTokens()).status).toBe(401);
    expect(json(await cli('headless-tokens:list', '--tenant', tenant.id))).toEqual([]);
    const again = await cli('headless-tokens:revoke', '--id', created.id);
    expect(again).toMatchObject({ code: 1, out: '' });
    expect(again.err).toMatch(/^NOT_FOUND: /);

    for (const [argv, pattern] of [
      [['headless-tokens:revoke', '--id', 'nope'], /^VALIDATION_FAILED: --id: /],
      [['headless-tokens:revoke'], /^VALIDATION_FAILED: --id: /],
      [['headless-tokens:create', '--tenant', key], /^VALIDATION_FAILED: --name: /],
    ] as [string[], RegExp][]) {
      const r = await cli(...argv);
      expect(r).toMatchObject({ code: 1, out: '', connected: false });
      expect(r.err).toMatch(pattern);
    }
  });

  it('takes passwords from a terminal prompt or standard input, never as an argument', async () => {
    const tenant = json(await cli('tenants:create', '--key', unique('pw'), '--name', 'Passwords'));
    const client = json(
      await cli(
        'clients:create',
        '--tenant',
        tenant.id,
        '--client-id',
        unique('pw'),
        '--name',
        'Passwords app',
        '--redirect-url',
        'https://pw.example.com/',
        '--public',
      ),
    );
    const login = (username: string) =>
      t.http
        .post('/auth/login-token')
        .send({ client_id: client.clientId, username, password: STRONG_PASSWORD });
    const create = (input: Parameters<typeof cliWith>[0], email: string, ...flags: string[]) =>
      cliWith(input, 'users:create', '--tenant', tenant.id, '--email', email, ...flags);

    // As an argument's value: refused before anything else, and the value is never printed back.
    for (const flags of [['--password', STRONG_PASSWORD], [`--password=${STRONG_PASSWORD}`]]) {
      const r = await create({}, `${unique('argv')}@example.com`, ...flags);
      expect(r).toMatchObject({ code: 1, out: '', connected: false });
      expect(r.err).toMatch(/^INVALID_ARGUMENTS: --password takes no value: use --password to be asked/);
      expect(r.err).not.toContain(STRONG_PASSWORD);
    }

    // --password-stdin: one final line break is not part of the password.
    const piped = `${unique('piped')}@example.com`;
    json(await create({ stdin: `${STRONG_PASSWORD}\r\n` }, piped, '--password-stdin'));
    expect((await login(piped)).status).toBe(200);
    const empty = await create({ stdin: '\n' }, `${unique('empty')}@example.com`, '--password-stdin');
    expect(empty).toMatchObject({ code: 1, out: '', connected: false });
    expect(empty.err).toMatch(/^INVALID_ARGUMENTS: --password-stdin read an empty password/);

    // --password: asked twice at the terminal.
    const prompts: string[] = [];
    const typed = `${unique('typed')}@example.com`;
    json(await create({ typed: [STRONG_PASSWORD, STRONG_PASSWORD], prompts }, typed, '--password'));
    expect(prompts).toEqual(['Password: ', 'Password (again): ']);
    expect((await login(typed)).status).toBe(200);
    const differ = await create(
      { typed: [STRONG_PASSWORD, 'Another-Harbour-Lantern-43'] },
      `${unique('differ')}@example.com`,
      '--password',
    );
    expect(differ).toMatchObject({ code: 1, out: '', connected: false });
    expect(differ.err).toMatch(/^INVALID_ARGUMENTS: the two passwords differ/);

    // No terminal to ask on, or both ways at once.
    const noTty = await create({}, `${unique('notty')}@example.com`, '--password');
    expect(noTty.err).toMatch(/^INVALID_ARGUMENTS: --password asks on a terminal.*--password-stdin/);
    const both = await create(
      { stdin: STRONG_PASSWORD, typed: [STRONG_PASSWORD] },
      `${unique('both')}@example.com`,
      '--password',
      '--password-stdin',
    );
    expect(both.err).toMatch(/^INVALID_ARGUMENTS: give either --password or --password-stdin/);
  });
});
