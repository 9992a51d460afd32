import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from './support/test-app.js';
import { loginBody, seedTenant, Seed } from './support/fixtures.js';
import { expectError, expectTokenResponse } from './support/assertions.js';

/**
 * Errors a person can act on (issue 15, point 5): a broken JSON body says where it broke, each
 * invalid field gets one message, and a 429 says what it is and when it ends, with headers that
 * agree with it.
 */
describe('errors a person can act on', () => {
  let t: TestApp;
  let seed: Seed;
  const from = (ip: string) => ({ 'X-Forwarded-For': ip });

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_ACCOUNT: '2', RATE_LIMIT_PER_IP: '6', TRUST_PROXY: 'true' });
    seed = await seedTenant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const rawJson = (path: string, body: string, ip: string) =>
    t.http.post(path).set(from(ip)).set('Content-Type', 'application/json').send(body);

  describe('a body that is not JSON', () => {
    const cases: [string, string][] = [
      [
        '{"client_id": "web",\n  "username": "ada@example.com"\n  "password": "Hunter-Secret-99"}',
        "expected ',' or '}' at line 3, column 3 (offset 55)",
      ],
      ['{"username": "ada", }', 'expected a property name in double quotes at line 1, column 21 (offset 20)'],
      ["{'username': 'ada'}", 'expected a property name in double quotes at line 1, column 2 (offset 1)'],
      [
        '{"password": "Hunter-Secret-99',
        'a string is not closed (missing ") at line 1, column 14 (offset 13)',
      ],
      ['{"a": [1, 2}', "expected ',' or ']' at line 1, column 12 (offset 11)"],
      [
        '{"a": tru}',
        'expected a value (an object, array, string in double quotes, number, true, false or null) at line 1, column 7 (offset 6)',
      ],
      [
        '{"a": 1} {"b": 2}',
        'unexpected text after the end of the JSON value at line 1, column 10 (offset 9)',
      ],
      ['{"a": {"b": 1}', 'the body ends inside an object (missing }) at line 1, column 15 (offset 14)'],
    ];

    it('answers 400 saying where it broke and why, never quoting the body', async () => {
      for (const [body, where] of cases) {
        const res = await rawJson('/auth/login-token', body, '10.9.0.1');
        expectError(res, 400, 'BAD_REQUEST');
        expect(res.body.message, body).toBe(`The body is not valid JSON: ${where}`);
        expect(res.body.message).not.toContain('Hunter-Secret-99');
      }
    });

    it('is an RFC 6749 invalid_request on /oauth2/token, with the same description', async () => {
      const res = await rawJson('/oauth2/token', '{"grantType": "anonymous",}', '10.9.0.2');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        error: 'invalid_request',
        error_description:
          'The body is not valid JSON: expected a property name in double quotes at line 1, column 27 (offset 26)',
      });
    });

    it('a JSON value that is not an object says so', async () => {
      for (const body of ['"just a string"', '42']) {
        const res = await rawJson('/auth/login-token', body, '10.9.0.3');
        expectError(res, 400, 'BAD_REQUEST');
        expect(res.body.message).toBe('The body must be a JSON object');
      }
    });
  });

  describe('validation', () => {
    const fields = (res: Response) => res.body.details.map((d: { field: string }) => d.field);

    it('gives one message per field: a missing field is "required"', async () => {
      const res = await t.http.post('/auth/login-token').set(from('10.9.1.1')).send({});
      expectError(res, 422, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([
        { field: 'client_id', message: 'client_id is required' },
        { field: 'username', message: 'username is required' },
        { field: 'password', message: 'password is required' },
      ]);
    });

    it('names the type first when a field has the wrong type', async () => {
      const res = await t.http
        .post('/auth/login-token')
        .set(from('10.9.1.2'))
        .send(loginBody(seed, { username: 12345, password: ['x'] }));
      expectError(res, 422, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([
        { field: 'username', message: 'username must be a string' },
        { field: 'password', message: 'password must be a string' },
      ]);
    });

    it('one message per field on nested and admin bodies too', async () => {
      const admin = await t.http
        .post('/admin/tenants')
        .set('Authorization', `Bearer ${TEST_ADMIN_KEY}`)
        .send({ key: 7, name: '', extra: true });
      expectError(admin, 422, 'VALIDATION_FAILED');
      expect(fields(admin).sort()).toEqual(['extra', 'key', 'name']);
      expect(admin.body.details).toContainEqual({ field: 'key', message: 'key must be a string' });
      expect(admin.body.details).toContainEqual({
        field: 'extra',
        message: 'property extra should not exist',
      });
      const spa = await seedTenant(t, { client: { public: true } });
      const visitor = await t.http
        .post('/oauth2/token')
        .send({ clientId: spa.client.clientId, grantType: 'anonymous' });
      expect(visitor.status).toBe(200);
      const nested = await t.http
        .post('/auth/v2/login')
        .set('Authorization', `Bearer ${visitor.body.access_token}`)
        .send({ loginId: {}, password: 'x' });
      expectError(nested, 422, 'VALIDATION_FAILED');
      expect(nested.body.details).toEqual([{ field: 'loginId.email', message: 'email is required' }]);
    });
  });

  describe('429', () => {
    it('a locked account says so and when it ends; the headers agree', async () => {
      const s = await seedTenant(t);
      const wrong = loginBody(s, { password: 'wrong-password-attempt' });
      for (let i = 0; i < 2; i++) {
        const res = await t.http.post('/auth/login-token').set(from('10.9.2.1')).send(wrong);
        expectError(res, 401, 'INVALID_CREDENTIALS');
        // The per-IP throttler let these through and said how many requests are left.
        expect(Number(res.headers['x-ratelimit-remaining'])).toBeGreaterThan(0);
      }
      const locked = await t.http.post('/auth/login-token').set(from('10.9.2.1')).send(loginBody(s));
      expectError(locked, 429, 'TOO_MANY_REQUESTS');
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(60);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect(locked.body.message).toBe(
        `Too many failed attempts for this account; it is locked for a while: try again in ${Math.ceil(retryAfter / 60)} minutes`,
      );
      expect(locked.headers['x-ratelimit-remaining']).toBe('0');
      expect(locked.headers['x-ratelimit-reset']).toBe(String(retryAfter));
      expect(locked.headers['x-ratelimit-limit']).toBeUndefined();
    });

    it('the per-IP request limit says so and when it ends; the headers agree', async () => {
      let last: Response | undefined;
      for (let i = 0; i < 7; i++) {
        last = await t.http.post('/auth/login-token').set(from('10.9.3.1')).send(loginBody(seed));
        if (i < 6) expectTokenResponse(last);
      }
      expectError(last!, 429, 'TOO_MANY_REQUESTS');
      const retryAfter = Number(last!.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(last!.body.message).toBe(
        `Too many requests from this address: try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}`,
      );
      expect(last!.headers['x-ratelimit-remaining']).toBe('0');
      expect(last!.headers['x-ratelimit-reset']).toBe(String(retryAfter));
    });
  });
});
