import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { prefersHtml, type Request, type Response } from './http.js';
import { fillExamples } from './swagger-examples.js';

/**
 * The groups of Swagger UI, in the order of a user's journey: set a tenant up, sign people in and
 * keep them signed in, then the other ways in, server-to-server tokens, reports and operations.
 * Each name is the `@ApiTags` of its controllers.
 */
export const API_TAGS: [name: string, description: string][] = [
  [
    'Admin',
    'Set a tenant up: tenants, roles, clients (apps), users and their memberships, headless tokens. Authorize with ' +
      '`ADMIN_API_KEY`, or an access token with the `ManageAuth` permission (its own tenant only). The CLI ' +
      '(`npm run -s cli -- help`) runs the same operations.',
  ],
  [
    'Password login',
    'Username (or email) and password: a single-use auth code (`/auth/login`, optionally PKCE-bound) or tokens at once ' +
      '(`/auth/login-token`).',
  ],
  [
    'Tokens',
    'Exchange an auth code, refresh (refresh tokens rotate; a reused one ends its session), switch tenant, read the ' +
      'signed-in user (`/auth/me`), change the password, log out.',
  ],
  ['Sign-up', 'Sign-up by a mailed link: request the link, check its token, create the user.'],
  ['Password recovery', 'Forgot password: a mailed reset link, its check, and the new password.'],
  [
    'OTP and authenticator MFA',
    'Second factors of the password login: codes by email or SMS, authenticator apps (TOTP) and their QR code.',
  ],
  [
    'Social and SAML login',
    'Google, Azure AD / Entra ID, Apple, Cognito, Facebook, Instagram, Keycloak and SAML: start routes that redirect to ' +
      'the provider, callbacks that redirect back with an auth code, provider logouts.',
  ],
  [
    'Headless login',
    'For an app with its own login page: visitor tokens, register / login / email verification answering a state, ' +
      'redirect sessions towards `/oauth2/authorize`, password recovery, the member profile.',
  ],
  [
    'OAuth 2.0 / OpenID Connect',
    'A standard authorization server (authorization code with PKCE): the authorize endpoint and its hosted login ' +
      'page, token, revoke, userinfo, logout. Stock OAuth 2.0 / OIDC client libraries work against it.',
  ],
  [
    'Password grant, SSO tokens and sessions',
    'For first-party apps: tokens from email and password with an MFA step when due, single sign-on tokens between ' +
      "apps of one tenant, the caller's sessions.",
  ],
  ['MFA methods', "The caller's second factors: authenticator apps, passkeys and recovery codes."],
  [
    'Passkeys',
    'WebAuthn passkeys: register one for the signed-in member (it turns MFA on), and sign in with one, ' +
      'discoverable or for a typed email. A passkey sign-in proves both factors.',
  ],
  [
    'Headless member tokens',
    "Server to server: a member's tokens without their password, with a headless token of the tenant.",
  ],
  [
    'Login activity',
    "Every login, refresh and logout of the caller's tenant, filtered and counted, and active users per day, week " +
      'or month. Needs the `ViewLoginActivity` permission.',
  ],
  ['Discovery', 'The signing keys (JWKS) and the OpenID Connect discovery document.'],
  ['Operations', 'Liveness, readiness, and where to start.'],
];

/** `GET /`: where to go from the root (documented here, served by `setupSwagger`). */
function documentRoot(document: OpenAPIObject): void {
  document.paths = {
    '/': {
      get: {
        operationId: 'root',
        tags: ['Operations'],
        summary: 'Where to start',
        description:
          'Browsers (`Accept: text/html`) are redirected (302) to this Swagger UI at `/api`; other callers get links ' +
          'to the documentation, the OpenAPI document, readiness and discovery.',
        responses: {
          '200': {
            description: 'Links',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    service: { type: 'string', example: 'auth-bff' },
                    documentation: { type: 'string', example: 'https://auth.example.com/api' },
                    openapi: { type: 'string', example: 'https://auth.example.com/api-json' },
                    health: { type: 'string', example: 'https://auth.example.com/health/ready' },
                    openidConfiguration: {
                      type: 'string',
                      example: 'https://auth.example.com/.well-known/openid-configuration',
                    },
                  },
                },
              },
            },
          },
          '302': { description: 'Browsers: to the Swagger UI at /api' },
        },
      },
    },
    ...document.paths,
  };
}

/**
 * A route whose answer is an HTML page (hosted login, recovery form) answers its errors as a page to
 * browsers too, and as the JSON error body to other callers: say both for every error, including
 * those declared by shared decorators (e.g. the 429 of `@RateLimited()`).
 */
function pageErrors(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, unknown>)) {
      const responses = (operation as { responses?: Record<string, { content?: Record<string, unknown> }> })
        ?.responses;
      const ok = responses?.['200']?.content;
      if (!responses || !ok || Object.keys(ok).join() !== 'text/html') continue;
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400 && response.content?.['application/json']) {
          response.content['text/html'] = ok['text/html'];
        }
      }
    }
  }
}

export function buildOpenApiDocument(app: INestApplication, serverUrl?: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Authentication service')
    .setDescription(
      'Sign-up, login (password, OTP, authenticator apps, social, SAML), tokens and logout for single-page apps, ' +
        'mobile apps and servers. Errors always have the body `{statusCode, error, code, message}`; validation ' +
        'failures add `details` (one entry per invalid field). Answers that carry tokens send ' +
        '`Cache-Control: no-store`. The groups below follow a first integration: set a tenant up (Admin), sign a ' +
        'user in, then refresh and log out (Tokens).',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'access-token')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'ADMIN_API_KEY or an access token with ManageAuth' },
      'admin',
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'The token of a mailed sign-up link (not an access token)',
      },
      'sign-up-token',
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'A headless token from POST /admin/headless-tokens' },
      'headless',
    );
  for (const [name, description] of API_TAGS) builder.addTag(name, description);
  if (serverUrl) builder.addServer(serverUrl);
  const document = SwaggerModule.createDocument(app, builder.build());
  documentRoot(document);
  pageErrors(document);
  fillExamples(document);
  return document;
}

/**
 * Swagger UI at /api, the JSON at /api-json (the document is built when first asked for), and `GET /`: a redirect to the UI for browsers, links
 * for everyone else.
 */
export function setupSwagger(app: INestApplication, serverUrl: string): void {
  // Built on the first request for it (then kept), not at start-up: scanning every route's
  // metadata takes a few hundred milliseconds that a starting instance does not need to spend.
  SwaggerModule.setup('api', app, () => buildOpenApiDocument(app, serverUrl), {
    jsonDocumentUrl: 'api-json',
    customSiteTitle: 'Authentication service API',
    swaggerOptions: { docExpansion: 'none', persistAuthorization: true },
  });
  app.getHttpAdapter().get('/', (req: Request, res: Response) => {
    if (prefersHtml(req)) return res.redirect('/api', 302);
    return res.send({
      service: 'auth-bff',
      documentation: `${serverUrl}/api`,
      openapi: `${serverUrl}/api-json`,
      health: `${serverUrl}/health/ready`,
      openidConfiguration: `${serverUrl}/.well-known/openid-configuration`,
    });
  });
}
