import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/assertions.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { bearer, pkcePair, visitorToken } from './support/headless.js';
import { createTestApp, sql, TestApp } from './support/test-app.js';

const WRONG = 'Definitely-Not-It-42';

/** GET /login-failures/{range}: wrong passwords per tenant, for the console's dashboard. */
describe('failed sign-ins: counted per tenant, reported by GET /login-failures/{range}', () => {
  let t: TestApp;
  let seed: Seed;
  let other: Seed;
  let viewer: string;

  const report = (range: string, query: Record<string, string> = {}, auth: string | null = viewer) => {
    const req = t.http.get(`/login-failures/${range}`).query(query);
    return auth ? req.set('Authorization', auth) : req;
  };
  const today = () => new Date().toISOString().slice(0, 10);
  const grant = (s: Seed, password: string, email = s.email) =>
    t.http.post('/auth/v2/oauth1/tokens').send({ email, password, clientId: s.client.clientId });

  beforeAll(async () => {
    t = await createTestApp();
    seed = await seedTenant(t, { permissions: ['ViewLoginActivity'], client: { public: true } });
    other = await seedTenant(t, { client: { public: true } });
    viewer = `Bearer ${(await grant(seed, seed.password)).body.accessToken}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts wrong passwords on every password route of a client of the tenant, not successes nor other tenants', async () => {
    const activityBefore = await sql(t, 'SELECT count(*)::int AS n FROM login_activity');
    expect((await grant(seed, WRONG)).status).toBe(401); // the password grant (section 8)
    expect((await grant(seed, WRONG, 'nobody-at-all@example.com')).status).toBe(401); // an unknown name too
    const visitor = await visitorToken(t, seed.client.clientId);
    const headless = await t.http
      .post('/auth/v2/login')
      .set(bearer(visitor))
      .send({ loginId: { email: seed.email }, password: WRONG }); // headless login (section 7)
    expect(headless.status).toBe(401);
    const classic = await t.http.post('/auth/login-token').send(loginBody(seed, { password: WRONG })); // section 2
    expect(classic.status).toBe(401);
    const { challenge } = pkcePair();
    const page = await t.http.get('/oauth2/authorize').query({
      response_type: 'code',
      client_id: seed.client.clientId,
      redirect_uri: 'https://app.example.com/callback',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const redirectSession = /name="redirectSession" value="([^"]+)"/.exec(page.text)![1]!;
    const hosted = await t.http
      .post('/oauth2/authorize')
      .type('form')
      .send({ redirectSession, email: seed.email, password: WRONG }); // the hosted sign-in page
    expect(hosted.status).toBe(401);
    expect((await grant(other, WRONG)).status).toBe(401); // another tenant
    expect((await grant(seed, seed.password)).status).toBe(200); // a success
    await expect.poll(async () => (await report('daily')).body).toEqual({ [today()]: { PASSWORD: 5 } });
    // Failures are not login activity: section 6's rows are sessions only.
    const activityAfter = await sql<{ n: number }>(t, 'SELECT count(*)::int AS n FROM login_activity');
    expect(activityAfter[0]!.n).toBe((activityBefore[0] as { n: number }).n + 1);
  });

  it('groups by ISO week and month with the keys of /active-users, within the window', async () => {
    const now = new Date();
    const month = `${String(now.getUTCMonth() + 1).padStart(2, '0')}-${now.getUTCFullYear()}`;
    const monthly = await report('monthly');
    expect(monthly.status).toBe(200);
    expect(monthly.body).toEqual({ [month]: { PASSWORD: 5 } });
    const weekly = await report('weekly');
    expect(Object.keys(weekly.body)).toHaveLength(1);
    expect(Object.keys(weekly.body)[0]).toMatch(/^\d{4}-W\d{2}$/);
    const past = await report('daily', {
      startDate: '2020-01-01T00:00:00.000Z',
      endDate: '2020-02-01T00:00:00.000Z',
    });
    expect(past.body).toEqual({});
  });

  it('answers the documented errors', async () => {
    expectError(await report('hourly'), 400, 'INVALID_RANGE');
    expectError(await report('daily', { startDate: 'yesterday' }), 422, 'VALIDATION_FAILED');
    expectError(
      await report('daily', { startDate: '2026-02-01T00:00:00.000Z', endDate: '2026-01-01T00:00:00.000Z' }),
      422,
      'VALIDATION_FAILED',
    );
    expectError(await report('daily', { tenantId: other.tenant.id }), 422, 'VALIDATION_FAILED');
    expectError(await report('daily', {}, null), 401, 'UNAUTHORIZED');
    const plain = `Bearer ${(await grant(other, other.password)).body.accessToken}`;
    expectError(await report('daily', {}, plain), 403, 'FORBIDDEN');
  });
});
