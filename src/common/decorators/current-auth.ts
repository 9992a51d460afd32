import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from '../http/authenticated-request.js';
import { Errors } from '../errors/app-error.js';

/** The verified access-token claims of the caller (`@CurrentAuth() auth: AuthClaims`). */
export const CurrentAuth = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const auth = ctx.switchToHttp().getRequest<AuthenticatedRequest>().auth;
  if (!auth) throw Errors.unauthorized();
  return auth;
});
