import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, importPKCS8, JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { AppleProviderConfig } from '../../../config/config.js';
import type { LoginSecrets, ProviderIdentity, ProviderStrategy } from '../../protocols/provider-strategy.js';
import {
  cleanName,
  idTokenIdentity,
  PROVIDER_TIMEOUT_MS,
  ProviderError,
} from '../../protocols/provider-strategy.js';

/** Apple signs ID tokens with RS256; ES256 is accepted should it switch. Never `none` or HMAC. */
const ID_TOKEN_ALGORITHMS = ['RS256', 'ES256'];
/** Apple accepts client-secret JWTs valid up to six months; ours live five minutes. */
const CLIENT_SECRET_TTL_S = 300;

interface AppleTokenAnswer {
  access_token?: unknown;
  refresh_token?: unknown;
  id_token?: unknown;
  error?: unknown;
}

/** The `user` form field Apple posts on the first login only: the name is nowhere else. */
export function parseAppleUser(raw: string | null): { firstName: string | null; lastName: string | null } {
  if (!raw || raw.length > 4096) return { firstName: null, lastName: null };
  try {
    const user = JSON.parse(raw) as { name?: { firstName?: unknown; lastName?: unknown } } | null;
    return { firstName: cleanName(user?.name?.firstName), lastName: cleanName(user?.name?.lastName) };
  } catch {
    return { firstName: null, lastName: null };
  }
}

/**
 * Sign in with Apple, by hand: the authorization request (`scope=name email`,
 * `response_mode=form_post`, `state`, `nonce`), the code exchange with the ES256 client-secret JWT
 * Apple prescribes (`kid` = key id, `iss` = team id, `sub` = client id, `aud` = the issuer), and the
 * ID token verified with jose against `<APPLE_ISSUER>/auth/keys`: signature, `iss`, `aud`, `exp`,
 * `nonce`. passport-apple is not used: it never verifies the ID token, hard-codes the client
 * secret's audience to https://appleid.apple.com (so APPLE_ISSUER could not be moved), parses the
 * token answer without a try (a non-JSON answer would crash the process) and mints its own
 * unchecked `state`.
 */
export class AppleStrategy implements ProviderStrategy {
  readonly name = 'apple' as const;
  readonly callbackUrl: string;
  readonly keepsTokens = false;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private signingKey: Promise<CryptoKey> | undefined;

  constructor(
    private readonly config: AppleProviderConfig,
    callbackUrl: string,
  ) {
    this.callbackUrl = callbackUrl;
    this.jwks = createRemoteJWKSet(new URL(`${config.issuer}/auth/keys`), {
      timeoutDuration: PROVIDER_TIMEOUT_MS,
    });
  }

  begin(state: string): Promise<{ url: string; secrets: LoginSecrets }> {
    const nonce = randomBytes(32).toString('base64url');
    const url = new URL(`${this.config.issuer}/auth/authorize`);
    url.search = new URLSearchParams({
      client_id: this.config.clientId,
      redirect_uri: this.callbackUrl,
      response_type: 'code',
      response_mode: 'form_post',
      scope: 'name email',
      state,
      nonce,
    }).toString();
    return Promise.resolve({ url: url.href, secrets: { nonce } });
  }

  async finish(params: URLSearchParams, secrets: LoginSecrets): Promise<ProviderIdentity> {
    const error = params.get('error');
    if (error)
      throw new ProviderError(`Apple answered ${error}`, /^[\w.-]{1,64}$/.test(error) ? error : undefined);
    const code = params.get('code');
    if (!code) throw new ProviderError('the callback carries no code');
    if (!secrets.nonce) throw new ProviderError('the login state lacks its nonce');
    const answer = await this.exchange(code);
    if (typeof answer.id_token !== 'string') throw new ProviderError('Apple sent no ID token');
    const claims = await this.verifyIdToken(answer.id_token, secrets.nonce);
    return idTokenIdentity(claims, parseAppleUser(params.get('user')));
  }

  /** The ES256 client-secret JWT of Apple's token endpoint. */
  async clientSecret(): Promise<string> {
    this.signingKey ??= importPKCS8(this.config.privateKey, 'ES256');
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.config.keyId })
      .setIssuer(this.config.teamId)
      .setSubject(this.config.clientId)
      .setAudience(this.config.issuer)
      .setIssuedAt()
      .setExpirationTime(`${CLIENT_SECRET_TTL_S}s`)
      .sign(await this.signingKey);
  }

  private async exchange(code: string): Promise<AppleTokenAnswer> {
    const body = new URLSearchParams({
      client_id: this.config.clientId,
      client_secret: await this.clientSecret(),
      code,
      grant_type: 'authorization_code',
      redirect_uri: this.callbackUrl,
    });
    let res: Response;
    let answer: AppleTokenAnswer;
    try {
      res = await fetch(`${this.config.issuer}/auth/token`, {
        method: 'POST',
        body,
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
      });
      answer = (await res.json()) as AppleTokenAnswer;
    } catch (err) {
      throw new ProviderError(
        `Apple's token endpoint failed: ${(err as Error).message}`,
        'provider unreachable',
      );
    }
    if (!res.ok || answer === null || typeof answer !== 'object') {
      const reason =
        typeof answer?.error === 'string' && /^[\w.-]{1,64}$/.test(answer.error) ? answer.error : undefined;
      throw new ProviderError(`Apple's token endpoint answered ${res.status}`, reason);
    }
    return answer;
  }

  private async verifyIdToken(idToken: string, nonce: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(idToken, this.jwks, {
        issuer: this.config.issuer,
        audience: this.config.clientId,
        algorithms: ID_TOKEN_ALGORITHMS,
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: 30,
      });
      if (payload.nonce !== nonce) throw new Error('nonce mismatch');
      return payload;
    } catch (err) {
      throw new ProviderError(`Apple's ID token was refused: ${(err as Error).message}`, 'invalid id_token');
    }
  }
}
