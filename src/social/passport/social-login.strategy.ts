import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import { AppError } from '../../common/errors/app-error.js';
import { requestContext } from '../../common/http/request-context.js';
import type { PresentedBinding } from '../browser-binding.js';
import type { SocialService, StartInput, VerifiedLogin } from '../social.service.js';
import type { ProviderName } from '../strategies/provider-strategy.js';

/** Where SocialAuthGuard leaves its application's SocialService and the step for the strategy. */
export const SOCIAL_LOGINS = Symbol('socialLogins');

/** A start route (with its validated input) or a callback route of a provider. */
export type SocialLoginStep =
  | { step: 'start'; service: SocialService; input: StartInput }
  | { step: 'callback'; service: SocialService; browser: PresentedBinding };

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
 * The Passport strategy of one social or SAML provider, over the verified implementations in
 * strategies/ (openid-client, fetch + jose for Apple, the OAuth 2.0 client, node-saml) driven by
 * SocialService. On a start route `authenticate` authenticates the client, stores the one-time
 * state and redirects to the provider (`this.redirect`). On a callback it spends the state and has
 * the provider's answer verified (code exchange, ID token or assertion), then hands the verified
 * login to the verify callback (`validate`: find / link / create the user, issue the auth code)
 * and ends in `this.success({url})`. A 401 of the contract (INVALID_CLIENT, INVALID_STATE,
 * PROVIDER_ERROR, USER_NOT_FOUND) is `this.fail(error, 401)`, any other error `this.error(error)`;
 * SocialAuthGuard answers the AppError as it is.
 *
 * Passport keeps strategies in one process-wide registry, so a strategy holds no state of its
 * application: the service comes from the request, where the guard of the handling application put
 * it. Several applications in one process (tests) never cross.
 */
export class SocialLoginStrategy extends Strategy {
  constructor(
    readonly provider: ProviderName,
    private readonly verify: Verify,
  ) {
    super();
  }

  override authenticate(req: RequestWithSocialLogin): void {
    const login = req[SOCIAL_LOGINS];
    if (!login) {
      this.error(new Error(`the ${this.provider} strategy runs only behind SocialAuthGuard`));
      return;
    }
    const run =
      login.step === 'start'
        ? this.redirectToProvider(req, login.service, login.input)
        : this.verifyAnswer(req, login.service, login.browser);
    run.catch((err: unknown) => this.refuse(err));
  }

  /** Start: authenticate the client, store the one-time state, send the browser to the provider. */
  private async redirectToProvider(
    req: RequestWithSocialLogin,
    service: SocialService,
    input: StartInput,
  ): Promise<void> {
    this.redirect(await service.start(this.provider, input, requestContext(req)));
  }

  /** Callback: spend the state, verify the provider's answer, then run the verify callback. */
  private async verifyAnswer(
    req: RequestWithSocialLogin,
    service: SocialService,
    browser: PresentedBinding,
  ): Promise<void> {
    // Apple's form_post and the SAML ACS post their answer; the others come back with a query.
    const source: unknown = req.method === 'POST' ? req.body : req.query;
    const verified = await service.verifyCallback(this.provider, params(source), {
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
    if (!step) throw new Error(`the ${this.provider} strategy runs only behind SocialAuthGuard`);
    return { url: await step.service.complete(login, requestContext(req)) };
  }

  /**
   * The SAML ACS's optional `client` query: the client_id the RelayState must be bound to (a
   * repeated or nested `client` matches no client). Other providers ignore extra parameters.
   */
  private expectedClient(req: Request): string | undefined {
    if (this.provider !== 'saml') return undefined;
    const client: unknown = req.query.client;
    return client === undefined ? undefined : typeof client === 'string' ? client : '';
  }

  private refuse(err: unknown): void {
    if (err instanceof AppError && err.getStatus() === 401) this.fail(err, 401);
    else this.error(err instanceof Error ? err : new Error(String(err)));
  }
}
