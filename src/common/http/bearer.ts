import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Request } from './http.js';
import { Errors } from '../errors/app-error.js';

/** The token of an `Authorization: Bearer <token>` header, for guards only. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * A guard over `Authorization: Bearer <token>`: without the header, 401 UNAUTHORIZED saying
 * `missing`; with it, `accept` checks the token (throwing its own 401) and attaches what it proves
 * to the request.
 */
export abstract class BearerGuard<R extends Request = Request> implements CanActivate {
  protected abstract readonly missing: string;

  protected abstract accept(token: string, req: R, context: ExecutionContext): Promise<void>;

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<R>();
    const token = bearerToken(req);
    if (!token) throw Errors.unauthorized(this.missing);
    await this.accept(token, req, context);
    return true;
  }
}
