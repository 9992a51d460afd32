import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TAGS } from '../src/common/http/swagger.js';
import { createTestApp, TestApp } from './support/test-app.js';

type Media = Record<string, { schema?: Record<string, unknown> }>;
type Operation = { tags?: string[]; responses: Record<string, { content?: Media }> };
type Property = { type?: string; example?: unknown; enum?: unknown[]; $ref?: string };

/** Swagger UI and GET / (issue 15, point 6): a map in the order of a user's journey, honest answers. */
describe('API documentation', () => {
  let t: TestApp;
  let doc: {
    tags: { name: string; description?: string }[];
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, { properties?: Record<string, Property> }> };
  };

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.http.get('/api-json')).body;
  });
  afterAll(async () => {
    await t?.close();
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method, op })),
    );

  it('lists the groups in the order of a first integration, each with a description', () => {
    expect(doc.tags.map((tag) => tag.name)).toEqual(API_TAGS.map(([name]) => name));
    expect(doc.tags.slice(0, 3).map((tag) => tag.name)).toEqual(['Admin', 'Password login', 'Tokens']);
    for (const tag of doc.tags) expect(tag.description?.length, tag.name).toBeGreaterThan(20);
    // Every operation sits in one of these groups (a new @ApiTags needs a place in API_TAGS).
    const declared = new Set(doc.tags.map((tag) => tag.name));
    for (const { path, method, op } of operations()) {
      expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const tag of op.tags ?? []) expect(declared.has(tag), `${method} ${path}: ${tag}`).toBe(true);
    }
  });

  it('declares text/html on the routes that answer HTML pages, and JSON errors for non-browsers', async () => {
    const pages: [string, string][] = [
      ['get', '/oauth2/authorize'],
      ['post', '/oauth2/authorize'],
      ['get', '/oauth2/logout'],
      ['get', '/auth/v2/recovery'],
    ];
    for (const [method, path] of pages) {
      const { responses } = doc.paths[path]![method]!;
      expect(Object.keys(responses['200']!.content ?? {}), `${method} ${path}`).toEqual(['text/html']);
      const errors = Object.entries(responses).filter(([status]) => Number(status) >= 400);
      expect(errors.length).toBeGreaterThan(0);
      for (const [status, response] of errors) {
        expect(Object.keys(response.content ?? {}).sort(), `${method} ${path} ${status}`).toEqual([
          'application/json',
          'text/html',
        ]);
      }
    }
    // What the routes really send: a page for a browser, the JSON error body for an API caller.
    const page = await t.http.get('/auth/v2/recovery?token=nope').set('Accept', 'text/html');
    expect(page.status).toBe(401);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const json = await t.http.get('/auth/v2/recovery?token=nope').set('Accept', 'application/json');
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.body.code).toBe('INVALID_TOKEN');

    const metadata = doc.paths['/auth/saml/metadata']!.get!.responses;
    expect(Object.keys(metadata['200']!.content!)).toEqual(['application/samlmetadata+xml']);
    expect(Object.keys(metadata['404']!.content!)).toEqual(['application/json']);
  });

  it('shows realistic examples, never "string", on the main request and answer bodies', () => {
    const main = [
      'LoginRequestDto',
      'LoginCodeRequestDto',
      'ExchangeCodeDto',
      'TokenResponseDto',
      'RefreshTokenDto',
      'SwitchTokenDto',
      'LogoutDto',
      'MeDto',
      'ChangePasswordDto',
      'CreateTenantDto',
      'TenantDto',
      'CreateRoleDto',
      'RoleDto',
      'CreateClientDto',
      'ClientWithSecretDto',
      'CreateUserDto',
      'CreatedUserDto',
      'CreateHeadlessTokenDto',
      'CreatedHeadlessTokenDto',
      'MemberTokensDto',
      'OAuthTokenRequestDto',
      'OAuthTokenResponseDto',
      'RegisterDto',
      'LoginStateResponseDto',
    ];
    for (const name of main) {
      const schema = doc.components.schemas[name];
      expect(schema, name).toBeDefined();
      for (const [field, property] of Object.entries(schema!.properties ?? {})) {
        if (property.type !== 'string' || property.enum) continue;
        expect(property.example, `${name}.${field}`).toBeDefined();
        expect(property.example, `${name}.${field}`).not.toBe('string');
      }
    }
    const secret = doc.components.schemas.LoginRequestDto!.properties!.client_secret!.example as string;
    expect(secret).toMatch(/^[\w-]{43}$/);
    expect(doc.components.schemas.ClientWithSecretDto!.properties!.clientSecret!.example).toMatch(
      /^[\w-]{32,}$/,
    );
  });

  it('GET / sends browsers to Swagger UI and answers links to everyone else', async () => {
    const browser = await t.http.get('/').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(browser.status).toBe(302);
    expect(browser.headers.location).toBe('/api');
    for (const accept of ['application/json', '*/*']) {
      const res = await t.http.get('/').set('Accept', accept);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        service: 'auth-bff',
        documentation: `${t.config.publicUrl}/api`,
        openapi: `${t.config.publicUrl}/api-json`,
        health: `${t.config.publicUrl}/health/ready`,
        openidConfiguration: `${t.config.publicUrl}/.well-known/openid-configuration`,
      });
    }
    expect(doc.paths['/']!.get!.tags).toEqual(['Operations']);
    expect((await t.http.get('/api')).status).toBe(200);
  });
});
