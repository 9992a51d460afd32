import type { OpenAPIObject } from '@nestjs/swagger';

/** Opaque secrets and tokens: 43 base64url characters (32 random bytes), like the service's own. */
const OPAQUE = 'q9Zr3kT1vB7xN2mL5pW8sH4jD6fG0cYa1eU3iO5rK7t';
/** An access token's shape (header, claims, signature): not a valid token. */
const JWT =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImstMjAyNi0xMSJ9.' +
  'eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20iLCJzdWIiOiI4YzJlMWY0YS02YjNkLTRlNWYtOWEwYi0xYzJkM2U0ZjVhNmIiLCJ0aWQiOiIzZjFjMmY3ZS04ZjVhLTRjMWUtOWQ1Ny0wYjdhNmYyZDllMTEiLCJleHAiOjE3OTUzNDUyMDB9.' +
  'dEN41SIAEymkQInrIm2Xi_kIWzfyz0Qo2BA1x3PlxVw8PJ3zgSPjPc71a_TCEcrB4Omk_c3mieO09XkBGAlUOg';

/**
 * Realistic examples by property name, for properties whose DTO gives none: Swagger UI would
 * otherwise show "string". Codes, verifiers, challenges, state and nonce are the RFC 6749, RFC 7636
 * and OpenID Connect Core examples.
 */
const BY_NAME: Record<string, unknown> = {
  client_id: 'acme-web',
  clientId: 'acme-web',
  client_secret: 'k3Jd9sQm2Xw7Lp0Vn5Rt8Yb1Hc4Gf6Za0Ue2Io9Pa7s',
  clientSecret: 'k3Jd9sQm2Xw7Lp0Vn5Rt8Yb1Hc4Gf6Za0Ue2Io9Pa7s',
  username: 'ada@example.com',
  email: 'ada@example.com',
  password: 'Violet-Harbour-Lantern-42',
  oldPassword: 'Previous-Harbour-Lantern-41',
  code: 'SplxlOBeZQQYbYS6WxSbIA',
  codeVerifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  state: 'af0ifjsldkj',
  nonce: 'n-0S6_WzA2Mj',
  error: 'access_denied',
  refreshToken: OPAQUE,
  refresh_token: OPAQUE,
  accessToken: JWT,
  access_token: JWT,
  id_token: JWT,
  token: OPAQUE,
  stateToken: OPAQUE,
  sessionToken: OPAQUE,
  ssoToken: OPAQUE,
  redirectSession: OPAQUE,
  captchaToken: '03AFcWeA6x1mZ9bQ-captcha-widget-response',
  SAMLResponse:
    'PHNhbWxwOlJlc3BvbnNlIHhtbG5zOnNhbWxwPSJ1cm46b2FzaXM6bmFtZXM6dGM6U0FNTDoyLjA6cHJvdG9jb2wiPg==',
  RelayState: OPAQUE,
  firstName: 'Ada',
  lastName: 'Lovelace',
  nickname: 'ada',
  picture: 'https://cdn.example.com/avatars/ada.png',
  company: 'Analytical Engines Ltd',
  position: 'Engineer',
  labels: ['beta-tester'],
  role: 'admin',
  ssoId: 'sso-7731',
  tenantId: '3f1c2f7e-8f5a-4c1e-9d57-0b7a6f2d9e11',
  userId: '8c2e1f4a-6b3d-4e5f-9a0b-1c2d3e4f5a6b',
  sub: '8c2e1f4a-6b3d-4e5f-9a0b-1c2d3e4f5a6b',
  methodId: '5d7e9f1a-2b4c-4d6e-8f0a-1b3c5d7e9f20',
};

const BY_FORMAT: Record<string, unknown> = {
  uuid: '9d0c4c1e-2b7f-4f0e-8a51-6c2d9e0f1a22',
  email: 'ada@example.com',
  'date-time': '2026-11-22T10:00:00.000Z',
  uri: 'https://app.example.com/callback',
};

type Schema = {
  type?: string;
  format?: string;
  example?: unknown;
  enum?: unknown[];
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};

function visit(schema: Schema | undefined): void {
  if (!schema || typeof schema !== 'object' || schema.$ref) return;
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (property.example === undefined && !property.$ref && !property.enum) {
      const byName = BY_NAME[name];
      const fitsName = byName !== undefined && (property.type === 'array') === Array.isArray(byName);
      if (fitsName && (property.type === 'string' || property.type === 'array')) property.example = byName;
      else if (property.type === 'string' && property.format && BY_FORMAT[property.format] !== undefined) {
        property.example = BY_FORMAT[property.format];
      }
    }
    visit(property);
  }
  visit(schema.items);
  for (const list of [schema.allOf, schema.oneOf, schema.anyOf]) list?.forEach(visit);
}

/** Adds realistic examples (by property name, else by format) where the DTOs have none. */
export function fillExamples(document: OpenAPIObject): void {
  for (const schema of Object.values(document.components?.schemas ?? {})) visit(schema as Schema);
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, unknown>)) {
      const op = operation as {
        requestBody?: { content?: Record<string, { schema?: Schema }> };
        responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
      };
      if (!op || typeof op !== 'object') continue;
      for (const media of Object.values(op.requestBody?.content ?? {})) visit(media.schema);
      for (const response of Object.values(op.responses ?? {})) {
        for (const media of Object.values(response.content ?? {})) visit(media.schema);
      }
    }
  }
}
