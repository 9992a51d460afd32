import { Injectable, mixin, Type } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from '../../common/http/http.js';
import { Strategy } from 'passport-strategy';
import { AppError } from '../../common/errors/app-error.js';
import { requestContext } from '../../common/http/request-context.js';
import type { PresentedBinding } from '../browser-binding.js';
import type { SocialService, StartInput, VerifiedLogin } from '../social.service.js';
import type { ProviderName } from '../protocols/provider-strategy.js';
import { Protocol, PROTOCOLS } from '../providers/provider.js';

/** Where SocialAuthGuard leaves its application's SocialService and the step for the strategy. */
export const SOCIAL_LOGINS = Symbol('socialLogins');

/** A start route (with its validated input) or a callback route of a provider. */
export type SocialLoginStep = { provider: ProviderName; service: SocialService } & (
  { step: 'start'; input: StartInput } | { step: 'callback'; browser: PresentedBinding }
);

export type RequestWithSocialLogin = Request & { [SOCIAL_LOGINS]?: SocialLoginStep };

/** What a successful callback leaves in `req.user`: the client's redirect URL with `?code=`. */
export interface SocialLoginResult {
  url: string;
}

type Verified = (err: unknown, result?: SocialLoginResult | false | null) => void;
/** The verify callback @nestjs/passport builds around `validate`. */
type Verify = (req: RequestWithSocialLogin, login: VerifiedLogin, done: Verified) => void;

/** Keeps only single string values: a repeated or nested parameter counts as absent. */
function params(source: unknown): URLSearchParams {
  const out = new URLSearchParams();
  if (source && typeof source === 'object') {
    for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
      if (typeof value === 'string') out.set(key, value);
    }
  }
  return out;
}

/**
 * The Passport strategy of one protocol (OpenID Connect, OAuth 2.0, Sign in with Apple, SAML),
 * parameterised by the provider the route's guard names: the provider's verified implementation
 * (protocols/, providers/<name>/) is driven by SocialService. On a start route `authenticate`
 * authenticates the client, stores the one-time state and redirects to the provider
 * (`this.redirect`). On a callback it spends the state and has the provider's answer verified (code
 * exchange, ID token or assertion), then hands the verified login to the verify callback
 * (`validate`: find / link / create the user, issue the auth code) and ends in
 * `this.success({url})`. A 401 of the contract (INVALID_CLIENT, INVALID_STATE, PROVIDER_ERROR,
 * USER_NOT_FOUND) is `this.fail(error, 401)`, any other error `this.error(error)`; SocialAuthGuard
 * answers the AppError as it is.
 *
 * Passport keeps strategies in one process-wide registry, so a strategy holds no state of its
 * application: the provider and the service come from the request, where the guard of the
 * handling application put them. Several applications in one process (tests) never cross.
 */
export class SocialLoginStrategy extends Strategy {
  constructor(
    readonly protocol: Protocol,
    private readonly verify: Verify,
  ) {
    super();
  }

  // passport-strategy's typings name Express's request; Passport itself takes any request object.
  override authenticate(request: Parameters<Strategy['authenticate']>[0]): void {
    const req = request as unknown as RequestWithSocialLogin;
    const login = req[SOCIAL_LOGINS];
    if (!login) {
      this.error(new Error(`the ${this.protocol} strategy runs only behind SocialAuthGuard`));
      return;
    }
    const run =
      login.step === 'start'
        ? this.redirectToProvider(req, login.provider, login.service, login.input)
        : this.verifyAnswer(req, login.provider, login.service, login.browser);
    run.catch((err: unknown) => this.refuse(err));
  }

  /** Start: authenticate the client, store the one-time state, send the browser to the provider. */
  private async redirectToProvider(
    req: RequestWithSocialLogin,
    provider: ProviderName,
    service: SocialService,
    input: StartInput,
  ): Promise<void> {
    this.redirect(await service.start(provider, input, requestContext(req)));
  }

  /** Callback: spend the state, verify the provider's answer, then run the verify callback. */
  private async verifyAnswer(
    req: RequestWithSocialLogin,
    provider: ProviderName,
    service: SocialService,
    browser: PresentedBinding,
  ): Promise<void> {
    // Apple's form_post and the SAML ACS post their answer; the others come back with a query.
    const source: unknown = req.method === 'POST' ? req.body : req.query;
    const verified = await service.verifyCallback(provider, params(source), {
      expectedClientId: this.expectedClient(req),
      browser,
    });
    this.verify(req, verified, (err, result) => {
      if (err) this.refuse(err);
      else if (result) this.success(result);
      else this.fail(401);
    });
  }

  /** The verify callback: the local half of a login, once the provider's answer is verified. */
  async validate(req: RequestWithSocialLogin, login: VerifiedLogin): Promise<SocialLoginResult> {
    const step = req[SOCIAL_LOGINS];
    if (!step) throw new Error(`the ${this.protocol} strategy runs only behind SocialAuthGuard`);
    return { url: await step.service.complete(login, requestContext(req)) };
  }

  /**
   * The SAML ACS's optional `client` query: the client_id the RelayState must be bound to (a
   * repeated or nested `client` matches no client). Other providers ignore extra parameters.
   */
  private expectedClient(req: Request): string | undefined {
    if (this.protocol !== 'saml') return undefined;
    const client: unknown = req.query.client;
    return client === undefined ? undefined : typeof client === 'string' ? client : '';
  }

  private refuse(err: unknown): void {
    if (err instanceof AppError && err.getStatus() === 401) this.fail(err, 401);
    else this.error(err instanceof Error ? err : new Error(String(err)));
  }
}

/** The name a protocol's strategy is registered under in Passport (what SocialAuthGuard names). */
export function passportName(protocol: Protocol): string {
  return `social-${protocol}`;
}

/** The Nest provider registering one protocol's strategy with Passport. */
function protocolStrategy(protocol: Protocol): Type<SocialLoginStrategy> {
  @Injectable()
  class ProtocolStrategy extends PassportStrategy(SocialLoginStrategy, passportName(protocol)) {
    constructor() {
      super(protocol);
    }
  }
  return mixin(ProtocolStrategy);
}

/** One Passport strategy per protocol, for the module's providers. */
export const PROTOCOL_STRATEGIES = PROTOCOLS.map(protocolStrategy);
