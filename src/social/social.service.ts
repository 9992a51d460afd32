import { Injectable, Logger } from '@nestjs/common';
import { randomToken } from '../common/crypto/tokens.js';
import type { RequestContext } from '../common/http/request-context.js';
import { ClientsService } from '../identity/clients.service.js';
import type { AuthClient } from '../identity/identity.types.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { MfaPolicy } from '../identity/mfa-policy.js';
import { AuthCodesService } from '../tokens/auth-codes.service.js';
import { OneTimeTokensService } from '../tokens/one-time-tokens.service.js';
import { BrowserBinding, PresentedBinding } from './browser-binding.js';
import { ProviderRegistry } from './provider-registry.js';
import { ProviderTokensService } from './provider-tokens.service.js';
import { SamlStoreError } from './saml-store.js';
import { SocialAccountsService } from './social-accounts.service.js';
import { SocialErrors } from './social-errors.js';
import {
  LoginSecrets,
  PROVIDER_STATE_TTL_S,
  ProviderError,
  ProviderIdentity,
  ProviderName,
} from './protocols/provider-strategy.js';
import { PROVIDERS } from './providers/index.js';

const STATE_PURPOSE = 'provider-state';

export interface StartInput {
  clientId: string;
  clientSecret?: string;
  redirectUri?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  /** The client's own opaque value, echoed on the final redirect. */
  state?: string;
  /** SHA-256 of the cookie that binds the login to the browser that started it (BrowserBinding). */
  browserBinding: string;
}

/** What a state row binds a login to (sealed at rest with the provider secrets). */
export interface StateData {
  provider: ProviderName;
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  clientState: string | null;
  secrets: LoginSecrets;
  /** SHA-256 of the starting browser's login cookie: the callback must bring that cookie. */
  browser: string;
}

/** A callback whose state was spent and whose provider answer passed every check. */
export interface VerifiedLogin {
  provider: ProviderName;
  client: AuthClient;
  identity: ProviderIdentity;
  state: StateData;
}

/**
 * Social and SAML logins (API.md section 5), run by the Passport strategy of each provider's
 * protocol (passport/). The start authenticates the client, stores a one-time state bound to it
 * (with the provider's nonce, PKCE verifier or AuthnRequest ID) in Postgres and answers the
 * provider's URL. The callback spends the state and lets the provider's verified implementation
 * (protocols/, providers/<name>/) check the answer (verifyCallback); then the user is found /
 * linked / created, the membership checked, and an auth code (marked MFA-pending when a second
 * factor is due) issued for the client's redirect URL (complete).
 */
@Injectable()
export class SocialService {
  private readonly logger = new Logger('Social');

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly clients: ClientsService,
    private readonly oneTime: OneTimeTokensService,
    private readonly accounts: SocialAccountsService,
    private readonly memberships: MembershipsService,
    private readonly mfa: MfaPolicy,
    private readonly codes: AuthCodesService,
    private readonly providerTokens: ProviderTokensService,
  ) {}

  /** Answers the provider's authorization URL for a new login of `input.clientId`. */
  async start(provider: ProviderName, input: StartInput, ctx: RequestContext): Promise<string> {
    const strategy = this.registry.get(provider);
    const client = await this.clients.authenticate(input.clientId, input.clientSecret, ctx.ip);
    const redirectUri = this.redirectUriOf(client, input.redirectUri);
    const state = randomToken();
    let begun: { url: string; secrets: LoginSecrets };
    try {
      begun = await strategy.begin(state);
    } catch (err) {
      throw this.providerFailure(provider, err);
    }
    await this.oneTime.issue({
      purpose: STATE_PURPOSE,
      token: state,
      ttlSeconds: PROVIDER_STATE_TTL_S,
      clientId: client.id,
      tenantId: client.tenantId,
      data: {
        provider,
        redirectUri,
        codeChallenge: input.codeChallenge ?? null,
        codeChallengeMethod: input.codeChallenge ? (input.codeChallengeMethod ?? 'S256') : null,
        clientState: input.state ?? null,
        secrets: begun.secrets,
        browser: input.browserBinding,
      } satisfies StateData as unknown as Record<string, unknown>,
    });
    return begun.url;
  }

  /**
   * The provider half of a callback (the Passport strategy's part): spends the state of the
   * provider's callback parameters (query, form_post body or the SAML ACS form) and lets the
   * provider's verified implementation check the answer (code exchange, ID token or assertion).
   * The callback must come from the browser that started the login (its login cookie, section 12):
   * from any other it is refused before anything is spent, so the state, the provider's code and
   * the SAML request stay unused and the callback URL is worth nothing to whoever opened it.
   * `expectedClientId` (the SAML ACS's `client` query) must name the client the state is bound to.
   */
  async verifyCallback(
    provider: ProviderName,
    params: URLSearchParams,
    from: { browser: PresentedBinding; expectedClientId?: string },
  ): Promise<VerifiedLogin> {
    const strategy = this.registry.get(provider);
    const stateValue = params.get(provider === 'saml' ? 'RelayState' : 'state');
    const live = stateValue ? await this.oneTime.peek<StateData>(STATE_PURPOSE, stateValue) : null;
    if (
      !stateValue ||
      !live ||
      !BrowserBinding.matches(live.data.browser, from.browser(live.data.provider))
    ) {
      throw SocialErrors.invalidState();
    }
    const record = await this.oneTime.consume<StateData>(STATE_PURPOSE, stateValue);
    if (!record || record.data.provider !== provider || !record.clientId) {
      throw SocialErrors.invalidState();
    }
    const client = await this.clients.findById(record.clientId);
    if (!client || (from.expectedClientId !== undefined && from.expectedClientId !== client.clientId)) {
      throw SocialErrors.invalidState();
    }
    let identity: ProviderIdentity;
    try {
      identity = await strategy.finish(params, record.data.secrets, stateValue);
    } catch (err) {
      throw this.providerFailure(provider, err);
    }
    return { provider, client, identity, state: record.data };
  }

  /**
   * The local half of a callback (the Passport verify callback's part): finds / links / creates
   * the user of a verified login, checks the membership, keeps the provider tokens where a provider
   * logout needs them, and answers the client's redirect URL with `?code=`.
   */
  async complete(login: VerifiedLogin, ctx: RequestContext): Promise<string> {
    const { provider, client, identity, state } = login;
    const account = await this.accounts.resolve(provider, identity, client);
    await this.memberships.requireActive(account.user.id, client.tenantId);
    if (this.registry.get(provider).keepsTokens && identity.tokens) {
      await this.providerTokens.save({
        credentialId: account.credentialId,
        userId: account.user.id,
        provider,
        tokens: identity.tokens,
      });
    }
    const { code } = await this.codes.issue({
      client,
      userId: account.user.id,
      tenantId: client.tenantId,
      authMethod: PROVIDERS[provider].authMethod,
      mfaPending: this.mfa.isSecondFactorDue(account.user, client),
      redirectUri: state.redirectUri,
      codeChallenge: state.codeChallenge,
      codeChallengeMethod: state.codeChallengeMethod,
      deviceInfo: ctx.deviceId,
    });
    const target = new URL(state.redirectUri);
    target.searchParams.set('code', code);
    if (state.clientState !== null) target.searchParams.set('state', state.clientState);
    return target.href;
  }

  /** `redirect_uri` must be one of the client's redirectUrls; the default is the first. */
  private redirectUriOf(client: AuthClient, requested: string | undefined): string {
    const chosen = requested ?? client.redirectUrls[0];
    if (!chosen || !client.redirectUrls.includes(chosen)) throw SocialErrors.invalidRedirectUri();
    try {
      new URL(chosen);
    } catch {
      throw SocialErrors.invalidRedirectUri();
    }
    return chosen;
  }

  /** A provider-side failure: logged with its detail, answered 401 PROVIDER_ERROR with a safe reason. */
  private providerFailure(provider: ProviderName, err: unknown): Error {
    if (err instanceof SamlStoreError) return err.cause instanceof Error ? err.cause : err;
    const reason = err instanceof ProviderError ? err.reason : undefined;
    this.logger.warn(`${provider} login failed: ${err instanceof Error ? err.message : String(err)}`);
    return SocialErrors.providerError(reason);
  }
}
