import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { AppConfig } from '../../config/config.js';
import { HttpExceptionFilter } from '../errors/http-exception.filter.js';
import { createValidationPipe } from './validation.js';

/**
 * Everything about HTTP that main.ts and the e2e tests share: security headers, CORS from the
 * clients' allowedOrigins, the validation pipe and the error filter.
 */
export function configureApp(
  app: INestApplication,
  config: AppConfig,
  isOriginAllowed: (origin: string) => Promise<boolean>,
): void {
  const express = app as NestExpressApplication;
  express.set('trust proxy', config.trustProxy);
  express.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'frame-ancestors': ["'none'"],
          // Upgrading subresources to https would break Swagger UI on a plain-http deployment.
          'upgrade-insecure-requests': config.publicUrl.startsWith('https:') ? [] : null,
        },
      },
      xFrameOptions: { action: 'deny' },
      strictTransportSecurity: config.publicUrl.startsWith('https:') ? undefined : false,
    }),
  );
  app.enableCors({
    origin: (origin: string | undefined, cb: (err: Error | null, allow?: boolean) => void) => {
      if (!origin) return cb(null, false);
      isOriginAllowed(origin).then(
        (ok) => cb(null, ok),
        () => cb(null, false),
      );
    },
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'device_id', 'Device-Id', 'code', 'clientId'],
    exposedHeaders: ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
    maxAge: 600,
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
}
