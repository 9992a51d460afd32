import { createHmac } from 'node:crypto';
import type { OAuth2ProviderConfig } from '../../config/config.js';
import type { AuthMethod } from '../../tokens/login-activity-recorder.js';
import { defineProvider, ProviderDefinition } from '../providers/provider.js';
import type { LoginSecrets, ProviderIdentity, ProviderName, ProviderStrategy } from './provider-strategy.js';
import { PROVIDER_TIMEOUT_MS, ProviderError } from './provider-strategy.js';

export interface OAuth2Options {
  name: ProviderName;
  config: OAuth2ProviderConfig;
  callbackUrl: string;
  /** Scopes, joined with commas as Meta's login dialogs expect. */
  scopes: string[];
  /** Fields asked from the userinfo endpoint when its URL names none. */
  defaultFields: string;
  /** Send Graph's appsecret_proof (HMAC-SHA256 of the access token with the app secret). */
  appSecretProof?: boolean;
  /** The identity of a userinfo answer (throws ProviderError when it has no usable id). */
  profile(json: Record<string, unknown>): ProviderIdentity;
}

/** A provider configured as plain OAuth 2.0 (config.providers.<name> is an OAuth2ProviderConfig). */
type OAuth2ProviderName = 'facebook' | 'instagram';

/** The definition of a plain OAuth 2.0 provider: an OAuth2Strategy over its configuration. */
export function oauth2Provider(
  name: OAuth2ProviderName,
  authMethod: AuthMethod,
  callbackPath: string,
  options: Omit<OAuth2Options, 'name' | 'config' | 'callbackUrl'>,
): ProviderDefinition {
  return defineProvider(name, 'oauth2', authMethod, callbackPath, (config, callbackUrl) => {
    return new OAuth2Strategy({ ...options, name, config, callbackUrl });
  });
}

const OAUTH_ERROR = /^[\w.-]{1,64}$/;

/** A JSON body, or null when the answer is not JSON. */
async function readJson(res: Response): Promise<Record<string, unknown> | null> {
  const text = await res.text();
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * A plain OAuth 2.0 authorization-code login (Facebook, Instagram) over fetch, with every endpoint
 * configurable. Token answers are read leniently the way these providers send them: `token_type`
 * may be missing, and Instagram's business login wraps the token in `data[0]`. The person is who
 * the userinfo endpoint says the access token belongs to; the external id is the profile's `id`.
 * passport-oauth2 is not used: its `oauth` HTTP client has no request timeout and it cannot read
 * a wrapped token answer.
 */
export class OAuth2Strategy implements ProviderStrategy {
  readonly name: ProviderName;
  readonly callbackUrl: string;
  readonly keepsTokens = false;

  constructor(private readonly options: OAuth2Options) {
    this.name = options.name;
    this.callbackUrl = options.callbackUrl;
  }

  begin(state: string): Promise<{ url: string; secrets: LoginSecrets }> {
    const url = new URL(this.options.config.authorizationUrl);
    url.searchParams.set('client_id', this.options.config.clientId);
    url.searchParams.set('redirect_uri', this.callbackUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', this.options.scopes.join(','));
    url.searchParams.set('state', state);
    return Promise.resolve({ url: url.href, secrets: {} });
  }

  async finish(params: URLSearchParams): Promise<ProviderIdentity> {
    const error = params.get('error');
    if (error)
      throw new ProviderError(`the provider answered ${error}`, OAUTH_ERROR.test(error) ? error : undefined);
    const code = params.get('code');
    if (!code) throw new ProviderError('the callback carries no code');
    const accessToken = await this.exchange(code);
    return this.options.profile(await this.userinfo(accessToken));
  }

  private async call(
    url: string,
    init: RequestInit,
  ): Promise<{ res: Response; json: Record<string, unknown> | null }> {
    try {
      const res = await fetch(url, {
        ...init,
        headers: { accept: 'application/json', ...init.headers },
        redirect: 'error',
        signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
      });
      return { res, json: await readJson(res) };
    } catch (err) {
      throw new ProviderError(`${url} failed: ${(err as Error).message}`, 'provider unreachable');
    }
  }

  private async exchange(code: string): Promise<string> {
    const { config } = this.options;
    const { res, json } = await this.call(config.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: config.clientId,
        client_secret: config.clientSecret,
        grant_type: 'authorization_code',
        redirect_uri: this.callbackUrl,
        code,
      }),
    });
    const wrapped = Array.isArray(json?.data)
      ? (json.data[0] as Record<string, unknown> | undefined)
      : undefined;
    const token = json?.access_token ?? wrapped?.access_token;
    if (!res.ok || typeof token !== 'string' || !token) {
      const err = json?.error;
      // Graph errors are objects ({message, type, code}); OAuth errors are strings.
      const reason = typeof err === 'string' && OAUTH_ERROR.test(err) ? err : undefined;
      throw new ProviderError(`the token endpoint answered ${res.status} without an access token`, reason);
    }
    return token;
  }

  private async userinfo(accessToken: string): Promise<Record<string, unknown>> {
    const { config } = this.options;
    const url = new URL(config.userinfoUrl);
    if (!url.searchParams.has('fields')) url.searchParams.set('fields', this.options.defaultFields);
    url.searchParams.set('access_token', accessToken);
    if (this.options.appSecretProof) {
      url.searchParams.set(
        'appsecret_proof',
        createHmac('sha256', config.clientSecret).update(accessToken).digest('hex'),
      );
    }
    const { res, json } = await this.call(url.href, { method: 'GET' });
    if (!res.ok || !json) throw new ProviderError(`the userinfo endpoint answered ${res.status}`);
    return json;
  }
}
