import {
  CanActivate,
  ExecutionContext,
  Injectable,
  SetMetadata,
  applyDecorators,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Errors } from '../errors/app-error.js';
import type { AuthenticatedRequest } from '../http/authenticated-request.js';

const PERMISSIONS_KEY = 'auth:permissions';

/** Requires every listed permission in the verified access token (403 FORBIDDEN otherwise). */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const needed = this.reflector.getAllAndOverride<string[]>(PERMISSIONS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!needed?.length) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!req.auth) throw Errors.unauthorized();
    const have = new Set(req.auth.permissions ?? []);
    if (!needed.every((p) => have.has(p))) throw Errors.forbidden();
    return true;
  }
}

/** Use after the JWT guard: `@RequirePermissions('ViewLoginActivity')`. */
export const RequirePermissions = (...permissions: string[]) =>
  applyDecorators(SetMetadata(PERMISSIONS_KEY, permissions), UseGuards(PermissionsGuard));
