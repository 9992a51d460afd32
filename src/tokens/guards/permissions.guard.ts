import {
  CanActivate,
  ExecutionContext,
  Injectable,
  SetMetadata,
  applyDecorators,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Errors } from '../../common/errors/app-error.js';
import type { AuthenticatedRequest } from '../../common/http/authenticated-request.js';
import { MembershipsService } from '../../identity/memberships.service.js';

const PERMISSIONS_KEY = 'auth:permissions';

/**
 * Requires every listed permission (403 FORBIDDEN otherwise). The verified token says who and in
 * which tenant (`sub`, `tid`); what they may do is read from their current ACTIVE membership and
 * its role on every request (API.md section 12, "Demotion"), never from the token's `permissions`
 * claim, so a demotion, a changed role or a lock takes effect at once, also for tokens already
 * issued. Only this service's own permission routes pay that read; token verification does not.
 * `req.auth.permissions` is replaced by the current ones for the handler.
 */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly memberships: MembershipsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const needed = this.reflector.getAllAndOverride<string[]>(PERMISSIONS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!needed?.length) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!req.auth) throw Errors.unauthorized();
    const current =
      typeof req.auth.tid === 'string' && typeof req.auth.sub === 'string'
        ? await this.memberships.activePermissions(req.auth.sub, req.auth.tid)
        : null;
    const have = new Set(current ?? []);
    if (!needed.every((p) => have.has(p))) throw Errors.forbidden();
    req.auth = { ...req.auth, permissions: current! };
    return true;
  }
}

/** Use after the JWT guard: `@RequirePermissions('ViewLoginActivity')`. */
export const RequirePermissions = (...permissions: string[]) =>
  applyDecorators(SetMetadata(PERMISSIONS_KEY, permissions), UseGuards(PermissionsGuard));
