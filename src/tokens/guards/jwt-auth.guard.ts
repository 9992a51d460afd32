import { applyDecorators, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth } from '@nestjs/swagger';
import { Errors } from '../../common/errors/app-error.js';
import { BearerGuard } from '../../common/http/bearer.js';
import type { AuthenticatedRequest } from '../../common/http/authenticated-request.js';
import { ApiErrors } from '../../common/http/api-docs.js';
import { AccessTokensService } from '../access-tokens.service.js';

const ALLOW_VISITOR = 'auth:allow-visitor';

/**
 * Verifies `Authorization: Bearer <access token>` (signature, issuer, expiry, revocation) and
 * attaches the claims as `req.auth`. Visitor tokens are refused unless the route allows them.
 */
@Injectable()
export class JwtAuthGuard extends BearerGuard<AuthenticatedRequest> {
  protected readonly missing = 'A Bearer access token is required';

  constructor(
    private readonly tokens: AccessTokensService,
    private readonly reflector: Reflector,
  ) {
    super();
  }

  protected async accept(token: string, req: AuthenticatedRequest, context: ExecutionContext): Promise<void> {
    const claims = await this.tokens.verify(token);
    const allowVisitor = this.reflector.getAllAndOverride<boolean>(ALLOW_VISITOR, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (claims.typ === 'visitor' && !allowVisitor)
      throw Errors.unauthorized('A member access token is required');
    req.auth = claims;
  }
}

/** Protects a route with a member access token (and documents it). */
export const Authenticated = () =>
  applyDecorators(UseGuards(JwtAuthGuard), ApiBearerAuth('access-token'), ApiErrors(401));

/** Marks a route that visitor tokens may call too. */
export const AllowVisitor = () => SetMetadata(ALLOW_VISITOR, true);
