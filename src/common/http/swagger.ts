import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export function buildOpenApiDocument(app: INestApplication, serverUrl?: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Authentication service')
    .setDescription(
      'Sign-up, login (password, OTP, authenticator apps, social, SAML), tokens and logout for single-page apps, ' +
        'mobile apps and servers. Errors always have the body `{statusCode, error, code, message}`; validation ' +
        'failures add `details`. Answers that carry tokens send `Cache-Control: no-store`.',
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
  if (serverUrl) builder.addServer(serverUrl);
  return SwaggerModule.createDocument(app, builder.build());
}

/** Swagger UI at /api, the JSON at /api-json. */
export function setupSwagger(app: INestApplication, serverUrl: string): void {
  const document = buildOpenApiDocument(app, serverUrl);
  SwaggerModule.setup('api', app, document, {
    jsonDocumentUrl: 'api-json',
    customSiteTitle: 'Authentication service API',
  });
}
