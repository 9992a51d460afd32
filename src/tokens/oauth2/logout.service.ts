import { Inject, Injectable } from '@nestjs/common';
import { AppError, Errors } from '../../common/errors/app-error.js';
import type { RequestContext } from '../../common/http/request-context.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { ClientsService } from '../../identity/clients.service.js';
import { isUuid } from '../../identity/provisioning.service.js';
import { isIdTokenShape } from '../access-tokens.service.js';
import { decodeJwt, verifySignature } from '../keys/jwt.js';
import { SigningKeysService } from '../keys/signing-keys.service.js';
import { SessionsService } from '../sessions.service.js';
import { invalidRedirectUri } from './auth-request.js';
import { invalidRedirectSession, RedirectSessionsService } from './redirect-sessions.service.js';

const invalidRequest = (message: string) => new AppError(400, 'INVALID_REQUEST', message);

/**
 * `GET /oauth2/logout`: the logout redirect session of API.md section 7, or the OpenID Connect
 * RP-initiated logout query (`id_token_hint`, `post_logout_redirect_uri`, `client_id`, `state`) for
 * standard clients. Either way the session ends on every instance and the browser goes only to a
 * URL registered for the client.
 */
@Injectable()
export class LogoutService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redirectSessions: RedirectSessionsService,
    private readonly sessions: SessionsService,
    private readonly clients: ClientsService,
    private readonly keys: SigningKeysService,
  ) {}

  /** Ends the session of a logout redirect session; answers the postFlowUrl. */
  async byRedirectSession(token: unknown, ctx: RequestContext): Promise<string> {
    const { record, client } = await this.redirectSessions.find(token, 'logout');
    const data = record.data;
    if (!client.redirectUrls.includes(data.postFlowUrl)) {
      throw invalidRedirectUri("postFlowUrl is no longer one of the client's registered redirect URLs");
    }
    if (!(await this.redirectSessions.spend(record.id))) throw invalidRedirectSession();
    await this.sessions.end(data.sid, {
      reason: 'logout',
      ctx,
      accessToken: { jti: data.jti, exp: data.exp },
    });
    return data.postFlowUrl;
  }

  /** RP-initiated logout; answers where to send the browser, or null for our own "signed out" page. */
  async byIdTokenHint(query: Record<string, unknown>, ctx: RequestContext): Promise<string | null> {
    const str = (name: string): string | undefined => {
      const v = query[name];
      if (v === undefined || v === '') return undefined;
      if (typeof v !== 'string' || v.length > 8192 || v.includes('\u0000')) {
        throw invalidRequest(`${name} must appear once, without NUL characters`);
      }
      return v;
    };
    const hint = str('id_token_hint');
    if (!hint) throw invalidRequest('Open the logout fullUrl of a redirect session, or send id_token_hint');
    const claims = await this.verifyHint(hint);
    const clientId = str('client_id') ?? claims.aud;
    if (clientId !== claims.aud) throw invalidRequest('client_id is not the audience of id_token_hint');
    const client = await this.clients.findByClientId(clientId);
    if (!client) throw Errors.invalidClient();
    const target = str('post_logout_redirect_uri');
    if (target !== undefined && !client.redirectUrls.includes(target)) {
      throw invalidRedirectUri(
        "post_logout_redirect_uri is not one of the client's registered redirect URLs",
      );
    }
    if (claims.sid) await this.sessions.end(claims.sid, { reason: 'logout', ctx });
    if (target === undefined) return null;
    const url = new URL(target);
    const state = str('state');
    if (state !== undefined) url.searchParams.set('state', state);
    return url.toString();
  }

  /**
   * An id_token this service issued: our signature and issuer, and the id_token's shape (an access
   * token, which also carries `aud` and `sid`, is refused: API.md section 12). Expiry does not
   * matter for a logout hint (OIDC RP-initiated logout).
   */
  private async verifyHint(token: string): Promise<{ aud: string; sid?: string }> {
    const jwt = decodeJwt(token);
    const invalid = () => invalidRequest('id_token_hint is not an id_token of this service');
    if (!jwt) throw invalid();
    const verifier = this.keys.verifierSync(jwt.header.kid) ?? (await this.keys.verifierFor(jwt.header.kid));
    if (!verifier || !verifySignature(jwt, verifier.alg, verifier.publicKey)) throw invalid();
    const { iss, aud, sid } = jwt.payload;
    if (iss !== this.config.jwtIssuer || typeof aud !== 'string') throw invalid();
    if (!isIdTokenShape(jwt.header, jwt.payload)) throw invalid();
    return { aud, sid: typeof sid === 'string' && isUuid(sid) ? sid : undefined };
  }
}
