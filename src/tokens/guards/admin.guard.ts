import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { safeEqual } from '../../common/crypto/tokens.js';
import { Errors } from '../../common/errors/app-error.js';
import { ApiErrors } from '../../common/http/api-docs.js';
import { bearerToken } from '../../common/http/bearer.js';
import { requestContext } from '../../common/http/request-context.js';
import { AttemptLimiter, IpOnly } from '../../common/rate-limit/attempt-limiter.js';
import { RateLimited } from '../../common/rate-limit/rate-limited.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { MembershipsService } from '../../identity/memberships.service.js';
import { AccessTokensService } from '../access-tokens.service.js';
import { decodeJwt } from '../keys/jwt.js';
import { AdminPrincipal, AdminRequest, MANAGE_AUTH } from './admin-principal.js';

const KEY_ONLY = 'admin:key-only';

/**
 * Authorizes the admin routes (API.md section 1): `Authorization: Bearer <ADMIN_API_KEY>`, compared
 * in constant time, or a member access token carrying ManageAuth. Anything shaped like a JWT is
 * checked as an access token; anything else is an admin-key attempt, and wrong keys count against
 * the failed-attempt limit of the calling address so the key cannot be guessed. Without ADMIN_API_KEY no key matches.
 * A token's own `permissions` claim is not trusted here: ManageAuth is read from the member's
 * current ACTIVE membership of the token's tenant and its role on every request (API.md section
 * 12, "Demotion"), so a demoted, re-roled or locked admin loses the admin routes at once.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: AccessTokensService,
    private readonly attempts: AttemptLimiter,
    private readonly reflector: Reflector,
    private readonly memberships: MembershipsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AdminRequest>();
    const token = bearerToken(req);
    if (!token) throw Errors.unauthorized('The admin key or a ManageAuth access token is required');
    const admin = decodeJwt(token)
      ? await this.fromAccessToken(token)
      : await this.fromAdminKey(token, requestContext(req).ip);
    const keyOnly = this.reflector.getAllAndOverride<boolean>(KEY_ONLY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (keyOnly && admin.kind !== 'key') throw Errors.forbidden('This operation needs the admin key');
    req.admin = admin;
    return true;
  }

  private async fromAdminKey(candidate: string, ip: string): Promise<AdminPrincipal> {
    // Counted per IP only, before comparing: an address over the limit learns nothing, not even a
    // right key, and nobody can lock the right key out for everyone else.
    const attempt = await this.attempts.begin(IpOnly.adminKey, ip);
    const key = this.config.adminApiKey;
    if (!key || !safeEqual(candidate, key)) throw Errors.unauthorized('Invalid admin key');
    await attempt.succeeded();
    return { kind: 'key' };
  }

  private async fromAccessToken(token: string): Promise<AdminPrincipal> {
    const claims = await this.tokens.verify(token);
    if (claims.typ === 'visitor') throw Errors.unauthorized('A member access token is required');
    const permissions =
      typeof claims.tid === 'string'
        ? await this.memberships.activePermissions(claims.sub, claims.tid)
        : null;
    if (!permissions?.includes(MANAGE_AUTH)) {
      throw Errors.forbidden(`The member does not hold the ${MANAGE_AUTH} permission in this tenant`);
    }
    return { kind: 'tenant', tenantId: claims.tid, userId: claims.sub };
  }
}

/** Protects a controller's admin routes: per-IP throttle, then AdminGuard; documents both. */
export const AdminAuth = () =>
  applyDecorators(
    ApiTags('Admin'),
    ApiBearerAuth('admin'),
    RateLimited(),
    UseGuards(AdminGuard),
    ApiErrors(
      [
        401,
        'UNAUTHORIZED: no Bearer, a wrong admin key, or an invalid, expired, revoked or visitor access token',
      ],
      [403, 'FORBIDDEN: the access token lacks ManageAuth, or the resource lies outside its tenant'],
    ),
  );

/** Marks a route that only the admin key may call (tenants): a ManageAuth token gets 403. */
export const AdminKeyOnly = () => SetMetadata(KEY_ONLY, true);
