import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims } from './support/assertions.js';
import { chromiumSuiteTitle, HAS_CHROMIUM, launchChromium } from './support/chromium.js';
import {
  buildConsole,
  expectAccessible,
  screenshot,
  signInOnHostedPage,
  watchPage,
} from './support/console.js';
import { Seed, seedTenant, STRONG_PASSWORD, unique } from './support/fixtures.js';
import { createPublicApp, PublicApp } from './support/headless.js';
import { sql, TEST_ADMIN_KEY } from './support/test-app.js';

const TITLE = chromiumSuiteTitle('admin console in a real Chromium');
const KEY = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

/**
 * The console of API.md section 14 end to end: built from its sources, served by the real service,
 * signed in through the hosted page, each page's main action against the running service, a
 * member without ManageAuth, and axe-core on every page (no serious or critical violation).
 */
describe.skipIf(!HAS_CHROMIUM)(TITLE, () => {
  let app: PublicApp;
  let built: { dir: string; remove(): void };
  let browser: Browser;
  let seed: Seed;
  let page: Page;
  let watched: { problems: string[] };
  let member: { id: string; email: string };

  const consoleUrl = (sub = '') => `${app.publicUrl}/console/t/${seed.tenant.key}/${sub}`;
  const nav = (name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true });

  beforeAll(async () => {
    built = await buildConsole();
    app = await createPublicApp({ CONSOLE_DIR: built.dir });
    seed = await seedTenant(app.t, { permissions: ['ManageAuth', 'ViewLoginActivity'] });
    await seed.provisioning.tenants.updateTenant(seed.tenant.id, { name: 'Acme' });
    seed.tenant.name = 'Acme';
    await seed.provisioning.roles.createRole({
      tenantId: seed.tenant.id,
      name: 'reader',
      permissions: ['ViewProfile'],
    });
    const email = `${unique('member')}@example.com`;
    const created = await seed.provisioning.users.createUser({
      email,
      password: STRONG_PASSWORD,
      tenantId: seed.tenant.id,
      role: 'reader',
      firstName: 'Grace',
      lastName: 'Hopper',
    });
    member = { id: created.user.id, email };
    // Some activity for the dashboard: a sign-in of the member, and a wrong password.
    const ok = await app.t.http
      .post('/auth/v2/oauth1/tokens')
      .send({ email, password: STRONG_PASSWORD, clientId: seed.client.clientId });
    expect(ok.status).toBe(200);
    const bad = await app.t.http
      .post('/auth/v2/oauth1/tokens')
      .send({ email, password: 'Not-The-Password-1', clientId: seed.client.clientId });
    expect(bad.status).toBe(401);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    watched = watchPage(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    built?.remove();
  });

  it('signs a tenant admin in through the hosted page, with PKCE, keeping tokens out of web storage', async () => {
    await page.goto(consoleUrl());
    await signInOnHostedPage(page, seed.email, seed.password);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Dashboard');
    for (const name of ['Dashboard', 'Users', 'Clients', 'Roles', 'Login activity', 'Headless tokens']) {
      expect(await nav(name).count(), name).toBe(1);
    }
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    expect(new URL(page.url()).search).toBe(''); // the code left the address bar
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(stored).toBe('{}{}');
    expect(watched.problems).toEqual([]);
  });

  it('dashboard: an active-users chart (role img), sign-ins per method, failed sign-ins', async () => {
    const chart = page.getByRole('img', { name: /^Active users/ });
    await chart.waitFor();
    expect(await chart.getAttribute('aria-label')).toMatch(/^Active users per day/);
    expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
    const methods = page.getByRole('region', { name: 'Sign-ins per method' });
    await expect.poll(() => methods.textContent()).toContain('PASSWORD');
    await expect
      .poll(() => page.getByRole('region', { name: 'Failed sign-ins' }).textContent())
      .toMatch(/\b1\b/);
    await page.getByLabel('Per week').check();
    await expect.poll(() => chart.getAttribute('aria-label')).toMatch(/^Active users per week/);
    await page.getByLabel('Per day').check();
    await expect.poll(() => chart.getAttribute('aria-label')).toMatch(/^Active users per day/);
    await screenshot(page, 'console-dashboard');
    await expectAccessible(page, 'dashboard');
  });

  it('users: search, open a user, lock, unlock and revoke their sessions', async () => {
    await nav('Users').click();
    await page.getByRole('table').waitFor();
    await expectAccessible(page, 'users (list)');
    await page.getByLabel('Search').fill('hopper');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const table = page.getByRole('table');
    // Only the matching user is left once the search answered.
    await expect
      .poll(async () => {
        const text = (await table.textContent()) ?? '';
        return text.includes(member.email) && !text.includes(seed.email);
      })
      .toBe(true);
    await expectAccessible(page, 'users');
    await screenshot(page, 'console-users');

    const session = await app.t.http
      .post('/auth/v2/oauth1/tokens')
      .send({ email: member.email, password: STRONG_PASSWORD, clientId: seed.client.clientId });
    const bearer = { Authorization: `Bearer ${session.body.accessToken ?? session.body.access_token}` };
    expect((await app.t.http.get('/auth/me').set(bearer)).status).toBe(200);

    await page.getByRole('link', { name: member.email }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(member.email);
    const status = async () =>
      (await app.t.http.get(`/admin/users/${member.id}`).set(KEY)).body.memberships[0].status as string;
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await expect.poll(status).toBe('LOCKED');
    await expect.poll(() => page.getByTestId('membership-status').textContent()).toBe('LOCKED');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(status).toBe('ACTIVE');

    const again = await app.t.http
      .post('/auth/v2/oauth1/tokens')
      .send({ email: member.email, password: STRONG_PASSWORD, clientId: seed.client.clientId });
    const bearer2 = { Authorization: `Bearer ${again.body.accessToken ?? again.body.access_token}` };
    expect((await app.t.http.get('/auth/me').set(bearer2)).status).toBe(200);
    await page.getByRole('button', { name: 'Revoke sessions' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('session');
    await expect.poll(async () => (await app.t.http.get('/auth/me').set(bearer2)).status).toBe(401);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Reset MFA' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('MFA');
    await screenshot(page, 'console-user');
    await expectAccessible(page, 'user page');
  });

  it('users: New user creates a member of the tenant and opens their page', async () => {
    await nav('Users').click();
    await page.getByRole('button', { name: 'New user' }).click();
    const email = `${unique('created')}@example.com`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('First name').fill('Katherine');
    await page.getByLabel('Role', { exact: true }).selectOption('reader');
    await expectAccessible(page, 'new user form');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(email);
    const found = await app.t.http.get('/admin/users').query({ email }).set(KEY);
    expect(found.body).toHaveLength(1);
    expect(found.body[0].memberships).toEqual([
      expect.objectContaining({ tenantId: seed.tenant.id, role: 'reader', status: 'ACTIVE' }),
    ]);
  });

  it('clients: New client opens a form; Create shows the secret once; edit and rotate', async () => {
    await nav('Clients').click();
    await page.getByRole('table').waitFor();
    await expectAccessible(page, 'clients (list)');
    await page.getByRole('button', { name: 'New client' }).click();
    const clientId = unique('console-made');
    await page.getByLabel('Client ID').fill(clientId);
    await page.getByLabel('Name', { exact: true }).fill('Made in the console');
    await page
      .getByLabel('Redirect URLs')
      .fill('https://made.example.com/callback\nhttps://made.example.com/other');
    await page.getByRole('button', { name: 'Create' }).click();
    const secretBox = page.getByLabel('Client secret');
    await secretBox.waitFor();
    const secret = await secretBox.inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(await secretBox.textContent()).toBe(secret);
    const stored = await app.t.http.get(`/admin/clients/${clientId}`).set(KEY);
    expect(stored.body.redirectUrls).toEqual([
      'https://made.example.com/callback',
      'https://made.example.com/other',
    ]);
    // The secret shown is the client's: it authenticates at the token endpoint.
    const grant = await app.t.http
      .post('/oauth2/token')
      .send({ grantType: 'anonymous', clientId, clientSecret: secret });
    expect(grant.status, JSON.stringify(grant.body)).toBe(200);
    await screenshot(page, 'console-clients');
    await expectAccessible(page, 'clients');

    await page.getByRole('link', { name: clientId }).click();
    await page.getByLabel('Name', { exact: true }).fill('Renamed in the console');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(async () => (await app.t.http.get(`/admin/clients/${clientId}`).set(KEY)).body.name)
      .toBe('Renamed in the console');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await expect
      .poll(async () => (await page.getByLabel('Client secret').inputValue()).length)
      .toBeGreaterThan(31);
    expect(await page.getByLabel('Client secret').inputValue()).not.toBe(secret);
    await expectAccessible(page, 'client page');
  });

  it('roles: edit the permissions of a role', async () => {
    await nav('Roles').click();
    await page.getByRole('button', { name: 'Edit reader' }).click();
    await page.getByRole('form', { name: 'Edit role reader' }).getByLabel('ViewLoginActivity').check();
    await page.getByRole('button', { name: 'Save role' }).click();
    const roles = async () =>
      (await app.t.http.get(`/admin/roles?tenantId=${seed.tenant.id}`).set(KEY)).body as {
        name: string;
        permissions: string[];
      }[];
    await expect
      .poll(async () => (await roles()).find((r) => r.name === 'reader')?.permissions)
      .toEqual(['ViewLoginActivity', 'ViewProfile']);
    await screenshot(page, 'console-roles');
    await expectAccessible(page, 'roles');
  });

  it('headless tokens: create one (shown once), then revoke it', async () => {
    await nav('Headless tokens').click();
    await page.getByLabel('Token name').fill('community backend');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await page.getByLabel('Headless token', { exact: true }).inputValue();
    expect(token).toMatch(/^hdls_/);
    const use = () =>
      app.t.http
        .post('/api/v1/headless/auth_token')
        .set({ Authorization: `Bearer ${token}` })
        .send({ email: member.email });
    expect((await use()).status).toBe(200);
    await screenshot(page, 'console-headless-tokens');
    await expectAccessible(page, 'headless tokens');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Revoke community backend' }).click();
    await expect.poll(async () => (await use()).status).toBe(401);
  });

  it('login activity: filters by method and type', async () => {
    await nav('Login activity').click();
    await page.getByLabel('Method').selectOption('PASSWORD');
    await page.getByLabel('Type').selectOption('ACCESS');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const table = page.getByRole('table');
    // The unfiltered list is on the page until the filtered answer replaces it (it has PASSWORD
    // rows too): wait for the table in which every row matches, and at least one row is left.
    const rows = () => table.locator('tbody tr').allTextContents();
    await expect
      .poll(async () => {
        const shown = await rows();
        return shown.length > 0 && shown.every((row) => /ACCESS.*PASSWORD/.test(row));
      })
      .toBe(true);
    await screenshot(page, 'console-login-activity');
    await page.getByLabel('Method').selectOption('SAML');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByText('No login activity matches these filters.').count()).toBe(1);
    await expectAccessible(page, 'login activity');
    expect(watched.problems).toEqual([]);
  });

  it('a session revoked elsewhere sends the console back to the sign-in page, then where it was', async () => {
    expect((await app.t.http.delete(`/admin/users/${seed.user.id}/sessions`).set(KEY)).status).toBe(204);
    await nav('Users').click();
    await signInOnHostedPage(page, seed.email, seed.password);
    await page.waitForURL((u) => u.pathname.endsWith('/users'));
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Users');
    await nav('Login activity').click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Login activity');
  });

  it('a reload signs in again (tokens lived in memory only), and Sign out ends the session', async () => {
    const before = await page.evaluate(() => location.pathname);
    await page.reload();
    // prompt=none first: silent where the service keeps a signed-in browser session, else the page.
    const heading = () =>
      page
        .getByRole('heading', { level: 1 })
        .textContent({ timeout: 200 })
        .catch(() => null);
    let outcome = 'waiting';
    await expect
      .poll(async () => {
        if (new URL(page.url()).pathname === '/oauth2/authorize') outcome = 'sign-in page';
        else if ((await heading()) === 'Login activity') outcome = 'signed in silently';
        return outcome;
      })
      .not.toBe('waiting');
    if (outcome === 'sign-in page') {
      expect(new URL(page.url()).searchParams.get('prompt')).toBe('none');
      await signInOnHostedPage(page, seed.email, seed.password);
    }
    await page.waitForURL((u) => u.pathname === before);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Login activity');
    const sessions = async () =>
      Number(
        (
          await sql<{ n: string }>(
            app.t,
            `SELECT count(*) AS n FROM session s JOIN auth_client c ON c.id = s.client_id
               WHERE c.client_id = $1 AND s.revoked_at IS NULL`,
            [`console:${seed.tenant.id}`],
          )
        )[0]!.n,
      );
    const live = await sessions();
    expect(live).toBeGreaterThan(0);
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/console/signed-out'),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Signed out');
    expect(await sessions()).toBe(live - 1);
    await expectAccessible(page, 'signed out');
  });

  it('a member without ManageAuth sees a page that says the permission is needed', async () => {
    const context = await browser.newContext();
    const other = await context.newPage();
    await other.goto(consoleUrl('users'));
    await signInOnHostedPage(other, member.email, STRONG_PASSWORD);
    await expect.poll(() => other.getByRole('heading', { level: 1 }).textContent()).toBe('Permission needed');
    expect(await other.getByRole('main').textContent()).toContain('ManageAuth');
    await screenshot(other, 'console-permission-needed');
    await expectAccessible(other, 'permission page');
    // The token it holds is the member's own: the admin routes refuse it.
    await context.close();
  });

  it('an unknown tenant key: a clear page, 404', async () => {
    const response = await page.goto(`${app.publicUrl}/console/t/no-such-tenant-here`);
    expect(response!.status()).toBe(404);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Unknown tenant');
    await expectAccessible(page, 'unknown tenant');
    await page.goto(`${app.publicUrl}/console`);
    await expectAccessible(page, 'home');
    expect(decodeClaims).toBeTypeOf('function');
  });
});
