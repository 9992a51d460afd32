import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Request } from '../common/http/http.js';
import { Errors } from '../common/errors/app-error.js';
import { ApiErrors } from '../common/http/api-docs.js';
import { BearerGuard } from '../common/http/bearer.js';
import { requestContext } from '../common/http/request-context.js';
import { AttemptLimiter, IpOnly } from '../common/rate-limit/attempt-limiter.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { HeadlessPrincipal, HeadlessTokensService } from './headless-tokens.service.js';

interface HeadlessRequest extends Request {
  headless?: HeadlessPrincipal;
}

/**
 * Authorizes `/api/v1/headless/*` with `Authorization: Bearer <headless token>`. Unknown or deleted
 * tokens are 401 UNAUTHORIZED and count as failed attempts of the IP, so tokens cannot be guessed.
 */
@Injectable()
export class HeadlessTokenGuard extends BearerGuard<HeadlessRequest> {
  protected readonly missing = 'A headless token is required (Authorization: Bearer <token>)';

  constructor(
    private readonly tokens: HeadlessTokensService,
    private readonly attempts: AttemptLimiter,
  ) {
    super();
  }

  protected async accept(token: string, req: HeadlessRequest): Promise<void> {
    const attempt = await this.attempts.begin(IpOnly.headlessToken, requestContext(req).ip);
    const principal = await this.tokens.authenticate(token);
    if (!principal) throw Errors.unauthorized('Invalid or revoked headless token');
    await attempt.succeeded();
    req.headless = principal;
  }
}

/** Protects a headless route: per-IP throttle, then the headless token; documents both. */
export const HeadlessAuth = () =>
  applyDecorators(
    ApiBearerAuth('headless'),
    RateLimited(),
    UseGuards(HeadlessTokenGuard),
    ApiErrors([401, 'UNAUTHORIZED: no headless token, or an unknown or revoked one']),
  );

/** `@CurrentHeadless() principal: HeadlessPrincipal` in a headless handler. */
export const CurrentHeadless = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): HeadlessPrincipal => {
    const principal = ctx.switchToHttp().getRequest<HeadlessRequest>().headless;
    if (!principal) throw Errors.unauthorized();
    return principal;
  },
);
