import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from '../../common/http/http.js';
import { Errors } from '../../common/errors/app-error.js';

/** The permission that lets an access token use the admin routes inside its own tenant. */
export const MANAGE_AUTH = 'ManageAuth';

/**
 * Who is calling an admin route: the holder of ADMIN_API_KEY (every tenant), or a member whose
 * access token carries ManageAuth (only the tenant of its `tid` claim).
 */
export type AdminPrincipal = { kind: 'key' } | { kind: 'tenant'; tenantId: string; userId: string };

export interface AdminRequest extends Request {
  admin?: AdminPrincipal;
}

/** `@CurrentAdmin() admin: AdminPrincipal` in an admin handler (set by AdminGuard). */
export const CurrentAdmin = createParamDecorator((_: unknown, ctx: ExecutionContext): AdminPrincipal => {
  const admin = ctx.switchToHttp().getRequest<AdminRequest>().admin;
  if (!admin) throw Errors.unauthorized();
  return admin;
});

/** 403 unless the caller may act in `tenantId`. */
export function assertTenant(admin: AdminPrincipal, tenantId: string): void {
  if (admin.kind === 'tenant' && admin.tenantId !== tenantId) {
    throw Errors.forbidden('A ManageAuth token acts only inside its own tenant');
  }
}

/**
 * The tenant a list is limited to: the one asked for, and for a ManageAuth token always its own
 * (asking for another is 403).
 */
export function tenantFilter(admin: AdminPrincipal, tenantId: string | undefined): string | undefined {
  if (admin.kind === 'key') return tenantId;
  if (tenantId !== undefined) assertTenant(admin, tenantId);
  return admin.tenantId;
}
