import { Inject, Injectable } from '@nestjs/common';
import { AppError, Errors } from '../common/errors/app-error.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import type { RequestContext } from '../common/http/request-context.js';
import { AttemptLimiter, IpOnly } from '../common/rate-limit/attempt-limiter.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Db, type Queryable } from '../database/db.js';
import { ClientsService } from '../identity/clients.service.js';
import type { AuthClient } from '../identity/identity.types.js';
import { OneTimeRecord, OneTimeTokensService } from '../tokens/one-time-tokens.service.js';
import {
  AuthRequest,
  AuthRequestInput,
  invalidRedirectUri,
  isRegisteredRedirect,
  validateAuthRequest,
} from './auth-request.js';
import { originOf } from '../common/http/hosted-page.js';
import { SessionTokensService } from '../tokens/session-tokens.service.js';

export const REDIRECT_SESSION_PURPOSE = 'redirect-session';
/** Time to open the fullUrl (and, without a sessionToken, to fill in the hosted login page). */
export const REDIRECT_SESSION_TTL_S = 600;

export interface AuthRedirectData extends AuthRequest {
  kind: 'auth';
  /** Set when a sessionToken bound the session to a user: how that user logged in. */
  authMethod?: string;
  /** Set with authMethod: when that login happened (epoch ms; the ID token's `auth_time`). */
  authTime?: number;
  /** The standard query's `login_hint`, shown in the hosted form's email field. */
  loginHint?: string;
}

export interface LogoutRedirectData {
  kind: 'logout';
  clientId: string;
  postFlowUrl: string;
  /** The session to end, and the access token that asked for it (revoked too). */
  sid: string;
  jti: string;
  exp: number;
}

export type RedirectData = AuthRedirectData | LogoutRedirectData;
export type RedirectRecord<D extends RedirectData = RedirectData> = OneTimeRecord<D>;

export const invalidSessionToken = () =>
  new AppError(400, 'INVALID_SESSION_TOKEN', 'The sessionToken is unknown, spent or expired');
export const invalidRedirectSession = () =>
  new AppError(400, 'INVALID_REDIRECT_SESSION', 'The redirect session is unknown, spent or expired');

/**
 * Redirect sessions (API.md section 7): a single-use, expiring, hashed one-time token carrying a
 * validated authorization (or logout) request. Its clear value is in the `fullUrl` only; the
 * answer's `id` is the row id, which grants nothing.
 */
@Injectable()
export class RedirectSessionsService {
  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly oneTime: OneTimeTokensService,
    private readonly sessionTokens: SessionTokensService,
    private readonly clients: ClientsService,
    private readonly limiter: AttemptLimiter,
  ) {}

  /** The client of a request, which must be the client the caller's token was issued to. */
  async requireCallerClient(clientId: string, auth: AuthClaims): Promise<AuthClient> {
    const client = await this.clients.findByClientId(clientId);
    if (!client) throw Errors.invalidClient();
    if (auth.cid !== client.clientId) {
      throw Errors.forbidden('The access token was issued to another client');
    }
    return client;
  }

  fullUrl(path: '/oauth2/authorize' | '/oauth2/logout', token: string): string {
    return `${this.config.publicUrl}${path}?redirectSession=${encodeURIComponent(token)}`;
  }

  /**
   * Creates an auth redirect session. With a sessionToken it is bound to that token's user, and
   * the token is spent in the same transaction (only after every other check passed: a refused
   * request spends nothing); without one, /oauth2/authorize will serve the hosted login page.
   */
  async createAuth(
    input: AuthRequestInput & { clientId: string; sessionToken?: string },
    auth: AuthClaims,
    ctx: RequestContext,
  ): Promise<{ id: string; fullUrl: string }> {
    const client = await this.requireCallerClient(input.clientId, auth);
    const request = validateAuthRequest(client, input);
    if (input.sessionToken === undefined) {
      const created = await this.issue(this.db, client, { kind: 'auth', ...request }, null);
      return { id: created.id, fullUrl: this.fullUrl('/oauth2/authorize', created.token) };
    }
    const session = await this.limiter.guard(IpOnly.token, ctx.ip, async () => {
      const found = await this.sessionTokens.peek(input.sessionToken!);
      if (!found || found.clientId !== client.id || !found.userId) throw invalidSessionToken();
      return found;
    });
    const userId = session.userId!;
    const created = await this.db.transaction(async (tx) => {
      if (!(await this.sessionTokens.spendIn(tx, session.id))) throw invalidSessionToken();
      const data: AuthRedirectData = {
        kind: 'auth',
        ...request,
        authMethod: session.data.authMethod,
        authTime: session.createdAt.getTime(),
      };
      return this.issue(tx, client, data, userId);
    });
    return { id: created.id, fullUrl: this.fullUrl('/oauth2/authorize', created.token) };
  }

  /** Creates an unbound auth redirect session for the standard query (answers the clear token). */
  createForStandardQuery(
    client: AuthClient,
    request: AuthRequest,
    loginHint?: string,
  ): Promise<{ id: string; token: string }> {
    return this.issue(
      this.db,
      client,
      { kind: 'auth', ...request, ...(loginHint ? { loginHint } : {}) },
      null,
    );
  }

  /** A logout redirect session for the caller's own session; `postFlowUrl` must be registered. */
  async createLogout(
    input: { clientId: string; postFlowUrl: string },
    auth: AuthClaims,
  ): Promise<{ id: string; fullUrl: string }> {
    if (auth.typ === 'visitor') throw Errors.unauthorized('A member access token is required to log out');
    const client = await this.requireCallerClient(input.clientId, auth);
    if (!client.redirectUrls.includes(input.postFlowUrl)) {
      throw invalidRedirectUri("postFlowUrl is not one of the client's registered redirect URLs");
    }
    const data: LogoutRedirectData = {
      kind: 'logout',
      clientId: client.clientId,
      postFlowUrl: input.postFlowUrl,
      sid: auth.sid,
      jti: auth.jti,
      exp: auth.exp,
    };
    const created = await this.issue(this.db, client, data, auth.sub);
    return { id: created.id, fullUrl: this.fullUrl('/oauth2/logout', created.token) };
  }

  /** Issues a redirect session on `q`: the pool, or the caller's transaction. */
  private issue(
    q: Queryable,
    client: AuthClient,
    data: RedirectData,
    userId: string | null,
  ): Promise<{ id: string; token: string }> {
    const token = {
      purpose: REDIRECT_SESSION_PURPOSE,
      ttlSeconds: REDIRECT_SESSION_TTL_S,
      userId,
      clientId: client.id,
      tenantId: client.tenantId,
      data: { ...data },
    };
    return this.oneTime.issueIn(q, token);
  }

  /** The live redirect session of a clear token, of the given kind; 400 INVALID_REDIRECT_SESSION otherwise. */
  async find<K extends RedirectData['kind']>(
    token: unknown,
    kind: K,
  ): Promise<{ record: RedirectRecord<Extract<RedirectData, { kind: K }>>; client: AuthClient }> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) throw invalidRedirectSession();
    const record = await this.oneTime.peek<RedirectData>(REDIRECT_SESSION_PURPOSE, token);
    if (!record || record.data.kind !== kind || !record.clientId) throw invalidRedirectSession();
    const client = await this.clients.findById(record.clientId);
    if (!client) throw invalidRedirectSession();
    const data = record.data;
    // The client may have changed since: its redirect URL and web_message origin must still be registered.
    if (data.kind === 'auth') {
      const origin = originOf(data.redirectUri);
      if (
        !isRegisteredRedirect(client, data.redirectUri) ||
        (data.responseMode === 'web_message' && (!origin || !client.allowedOrigins.includes(origin)))
      ) {
        throw invalidRedirectUri('The redirect URI of this session is no longer registered for the client');
      }
    }
    return { record: record as RedirectRecord<Extract<RedirectData, { kind: K }>>, client };
  }

  /** Spends a redirect session; false when it was spent meanwhile (a second tab, a replay). */
  spend(id: string): Promise<boolean> {
    return this.oneTime.consumeById(id);
  }

  /** {@link spend} inside the caller's transaction. */
  spendIn(tx: Queryable, id: string): Promise<boolean> {
    return this.oneTime.consumeByIdIn(tx, id);
  }
}
