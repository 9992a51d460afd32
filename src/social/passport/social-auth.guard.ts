import { ExecutionContext, Injectable, mixin, Type, UseGuards } from '@nestjs/common';
import { AuthGuard, IAuthGuard } from '@nestjs/passport';
import type { Request, Response } from '../../common/http/http.js';
import { createValidationPipe } from '../../common/http/validation.js';
import { BrowserBinding } from '../browser-binding.js';
import { SocialStartDto } from '../dto/social.dto.js';
import { SocialErrors } from '../social-errors.js';
import { SocialService, StartInput } from '../social.service.js';
import type { ProviderName } from '../protocols/provider-strategy.js';
import { PROVIDERS } from '../providers/index.js';
import {
  passportName,
  RequestWithSocialLogin,
  SOCIAL_LOGINS,
  SocialLoginResult,
} from './social-login.strategy.js';

/** The part of Node's response API that Passport's `redirect` uses, over a Fastify reply. */
function passportResponse(reply: Response): object {
  return {
    get statusCode(): number {
      return reply.statusCode;
    },
    set statusCode(code: number) {
      reply.code(code);
    },
    setHeader(name: string, value: string): void {
      reply.header(name, value);
    },
    end(body?: string): void {
      void reply.send(body ?? '');
    },
  };
}

/** The global pipe's rules, applied to the start input before the strategy runs. */
const startValidation = createValidationPipe();

function startInput(dto: SocialStartDto, browserBinding: string): StartInput {
  return {
    browserBinding,
    clientId: dto.client_id,
    clientSecret: dto.client_secret,
    redirectUri: dto.redirect_uri,
    codeChallenge: dto.code_challenge,
    codeChallengeMethod: dto.code_challenge_method,
    state: dto.state,
  };
}

/**
 * AuthGuard('social-<protocol>') for a start or callback route of a provider. Passport's strategies
 * live in one process-wide registry, so this guard (one per application, from Nest DI) puts the
 * provider and its application's SocialService on the request for the protocol's strategy.
 * AuthGuard runs before pipes, so on a start route it first validates the body (POST) or query
 * (GET) with the global pipe's rules: malformed input still answers 422 VALIDATION_FAILED, not a
 * login error. The strategy answers the start itself
 * (302 to the provider, marked no-store, with the cookie that binds the state to this browser); a
 * callback hands the strategy the cookies it came with and leaves `{url}` in `req.user`.
 */
function createSocialAuthGuard(provider: ProviderName, step: 'start' | 'callback'): Type<IAuthGuard> {
  @Injectable()
  class ProviderAuthGuard extends AuthGuard(passportName(PROVIDERS[provider].protocol)) {
    constructor(
      private readonly social: SocialService,
      private readonly binding: BrowserBinding,
    ) {
      super();
    }

    override async canActivate(context: ExecutionContext): Promise<boolean> {
      const http = context.switchToHttp();
      const req = http.getRequest<RequestWithSocialLogin>();
      if (step === 'callback') {
        req[SOCIAL_LOGINS] = { provider, step, service: this.social, browser: this.binding.presented(req) };
        return (await super.canActivate(context)) as boolean;
      }
      const type = req.method === 'GET' ? 'query' : 'body';
      const dto = (await startValidation.transform(type === 'query' ? req.query : req.body, {
        type,
        metatype: SocialStartDto,
      })) as SocialStartDto;
      // The strategy's redirect ends the response here, before the route's own headers apply.
      const res = http.getResponse<Response>();
      res.header('Cache-Control', 'no-store');
      res.header('Pragma', 'no-cache');
      // The cookie that binds this login's state to this browser (section 12).
      const browserBinding = this.binding.bind(req, res, provider);
      req[SOCIAL_LOGINS] = { provider, step, service: this.social, input: startInput(dto, browserBinding) };
      try {
        return (await super.canActivate(context)) as boolean;
      } catch (err) {
        if (!res.sent) {
          res.removeHeader('Cache-Control');
          res.removeHeader('Pragma');
          this.binding.unbind(res);
        }
        throw err;
      }
    }

    /**
     * What Passport gets as the response: a start's strategy ends it with `this.redirect(url)`,
     * which sets `statusCode` and the Location header and calls `end()` on it (Node's response
     * API): those go to Fastify's reply, so the reply's headers (no-store, the binding cookie,
     * the security headers) are sent with the redirect.
     */
    getResponse(context: ExecutionContext): unknown {
      return passportResponse(context.switchToHttp().getResponse<Response>());
    }

    /** A refusal carries the contract's AppError (the strategy's `fail` challenge): answer it as is. */
    override handleRequest<TUser = SocialLoginResult>(err: unknown, user: unknown, info: unknown): TUser {
      if (err) throw err;
      if (!user) throw info instanceof Error ? info : SocialErrors.providerError();
      return user as TUser;
    }
  }
  return mixin(ProviderAuthGuard);
}

const guards = new Map<string, Type<IAuthGuard>>();

/** One guard class per provider and step (Nest instantiates it once per application). */
export function SocialAuthGuard(provider: ProviderName, step: 'start' | 'callback'): Type<IAuthGuard> {
  const key = `${provider}:${step}`;
  let guard = guards.get(key);
  if (!guard) {
    guard = createSocialAuthGuard(provider, step);
    guards.set(key, guard);
  }
  return guard;
}

/** A start route of `provider`: its Passport strategy authenticates the client and redirects. */
export const StartsLogin = (provider: ProviderName) => UseGuards(SocialAuthGuard(provider, 'start'));

/** A callback route of `provider`: its Passport strategy finishes the login into `req.user`. */
export const FinishesLogin = (provider: ProviderName) => UseGuards(SocialAuthGuard(provider, 'callback'));

/** The client's redirect URL a callback's strategy left in `req.user`. */
export function loginRedirect(req: Request): SocialLoginResult {
  return { url: (req.user as SocialLoginResult).url };
}
