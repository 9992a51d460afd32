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
import type { OneTimeRecord } from '../tokens/one-time-tokens.service.js';
import { OneTimeTokensService } from '../tokens/one-time-tokens.service.js';

export const SIGN_UP_PURPOSE = 'sign-up';

/** What a sign-up token carries (sealed in one_time_token.data_enc). */
export interface SignUpTokenData {
  email: string;
  data: Record<string, unknown>;
}

export type SignUpTokenRecord = OneTimeRecord<SignUpTokenData>;

type SignUpRequest = Request & { signUpToken?: SignUpTokenRecord };

/**
 * Reads `Authorization: Bearer <sign-up token>` (a mailed one-time token, not an access token)
 * and attaches the live token as `req.signUpToken`. No header: 401 UNAUTHORIZED; an unknown,
 * expired or spent token: 401 INVALID_TOKEN, counted against the caller's IP.
 */
@Injectable()
export class SignUpTokenGuard extends BearerGuard<SignUpRequest> {
  protected readonly missing = 'A Bearer sign-up token is required';

  constructor(
    private readonly tokens: OneTimeTokensService,
    private readonly limiter: AttemptLimiter,
  ) {
    super();
  }

  protected async accept(token: string, req: SignUpRequest): Promise<void> {
    req.signUpToken = await this.limiter.guard(IpOnly.token, requestContext(req).ip, async () => {
      const record =
        token.length <= 512 ? await this.tokens.peek<SignUpTokenData>(SIGN_UP_PURPOSE, token) : null;
      if (!record?.data.email) throw Errors.invalidToken();
      return record;
    });
  }
}

/** Protects a route with a sign-up token (and documents it). */
export const SignUpTokenAuth = () =>
  applyDecorators(
    UseGuards(SignUpTokenGuard),
    ApiBearerAuth('sign-up-token'),
    ApiErrors([401, 'UNAUTHORIZED: no Bearer sign-up token; INVALID_TOKEN: unknown, expired or used token']),
  );

/** `@SignUpToken() token: SignUpTokenRecord` in a handler behind SignUpTokenAuth. */
export const SignUpToken = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): SignUpTokenRecord =>
    ctx.switchToHttp().getRequest<SignUpRequest>().signUpToken!,
);
