import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, Errors } from '../../common/errors/app-error.js';
import type { RequestContext } from '../../common/http/request-context.js';
import { AttemptLimiter } from '../../common/rate-limit/attempt-limiter.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { ClientsService } from '../../identity/clients.service.js';
import type { AuthClient } from '../../identity/entities/auth-client.entity.js';
import type { User } from '../../identity/entities/user.entity.js';
import { MembershipsService } from '../../identity/memberships.service.js';
import { MfaPolicy } from '../../identity/mfa-policy.js';
import { UsersService } from '../../identity/users.service.js';
import { AuthCodesService } from '../auth-codes.service.js';
import { AuthRequest, invalidRedirectUri, validateAuthRequest } from './auth-request.js';
import { AuthRedirectData, RedirectRecord, RedirectSessionsService } from './redirect-sessions.service.js';

/** Why a user who proved who they are still gets no code (shown on the hosted page, or sent to the client). */
export interface Refusal {
  /** The OAuth error sent back to the client. */
  error: 'access_denied' | 'interaction_required';
  /** The HTTP status of the hosted page. */
  status: number;
  message: string;
}

export type AuthorizeOutcome = { kind: 'code'; code: string } | { kind: 'refused'; refusal: Refusal };

/** What the standard RFC 6749 / OIDC query may carry (everything else is ignored, as RFC 6749 says). */
const STANDARD_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'code_challenge',
  'code_challenge_method',
  'state',
  'scope',
  'nonce',
  'response_mode',
] as const;
type StandardQuery = Partial<Record<(typeof STANDARD_PARAMS)[number], string>>;

const STATUS_MESSAGES: Record<string, string> = {
  PENDING_VERIFICATION: 'Your email address is not verified yet. Verify it from the app, then sign in again.',
  PENDING_APPROVAL:
    'Your membership is waiting for approval by the owner. You can sign in once it is approved.',
  LOCKED: 'This account is locked.',
  DISABLED: 'This account is disabled.',
};

/**
 * The authorization endpoint's rules: reading the standard query, checking a user who logged in
 * on the hosted page (or through a sessionToken), and issuing the code. Codes are issued through
 * AuthCodesService and exchanged at /oauth2/token, where SessionsService.start writes the session.
 */
@Injectable()
export class AuthorizeService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redirectSessions: RedirectSessionsService,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
    private readonly mfa: MfaPolicy,
    private readonly codes: AuthCodesService,
    private readonly limiter: AttemptLimiter,
  ) {}

  /**
   * Validates the standard query (errors are answered directly, never redirected: 401
   * INVALID_CLIENT, 400 INVALID_REDIRECT_URI / INVALID_REQUEST / INVALID_SCOPE) and creates an
   * unbound redirect session for the hosted login page.
   */
  async startStandard(
    query: Record<string, unknown>,
  ): Promise<{ token: string; client: AuthClient; request: AuthRequest }> {
    const q: StandardQuery = {};
    for (const name of STANDARD_PARAMS) {
      const value = query[name];
      if (value === undefined || value === '') continue;
      if (typeof value !== 'string') throw new AppError(400, 'INVALID_REQUEST', `${name} must appear once`);
      if (value.length > 2048 || value.includes('\u0000')) {
        throw new AppError(400, 'INVALID_REQUEST', `${name} is too long or contains NUL characters`);
      }
      q[name] = value;
    }
    if (!q.client_id) throw new AppError(400, 'INVALID_REQUEST', 'client_id is required');
    const client = await this.clients.findByClientId(q.client_id);
    if (!client) throw Errors.invalidClient();
    if (q.redirect_uri !== undefined && !client.redirectUrls.includes(q.redirect_uri)) {
      throw invalidRedirectUri("redirect_uri is not one of the client's registered redirect URLs");
    }
    const request = validateAuthRequest(client, {
      redirectUri: q.redirect_uri,
      responseType: q.response_type ?? '',
      responseMode: q.response_mode ?? 'query',
      codeChallenge: q.code_challenge,
      codeChallengeMethod: q.code_challenge_method ?? 'plain',
      scope: q.scope,
      state: q.state,
      nonce: q.nonce,
    });
    const { token } = await this.redirectSessions.createForStandardQuery(client, request);
    return { token, client, request };
  }

  /** Whether this user may get a code for this client now; the reason when not. */
  private async refusalFor(user: User, client: AuthClient): Promise<Refusal | null> {
    const membership = await this.memberships.find(user.id, client.tenantId);
    if (!membership) {
      return {
        error: 'access_denied',
        status: 403,
        message: 'This account has no access to this application.',
      };
    }
    if (membership.status !== 'ACTIVE') {
      return {
        error: 'access_denied',
        status: 403,
        message: STATUS_MESSAGES[membership.status] ?? 'This account cannot sign in.',
      };
    }
    if (client.requireEmailVerification && !user.emailVerified) {
      return { error: 'access_denied', status: 403, message: STATUS_MESSAGES.PENDING_VERIFICATION! };
    }
    if (this.mfa.isSecondFactorDue(user, client)) {
      // Never a code without the second factor: until this service can check one here, refuse.
      return {
        error: 'interaction_required',
        status: 401,
        message:
          'This account must confirm a second factor, which this sign-in page cannot check yet. ' +
          'Sign in through the application instead.',
      };
    }
    return null;
  }

  /**
   * A redirect session bound to a user by a sessionToken: re-checks the member (a lock or a new
   * second factor since the login counts), then spends the session and issues the code in one
   * transaction.
   */
  async completeBound(
    record: RedirectRecord<AuthRedirectData>,
    client: AuthClient,
  ): Promise<AuthorizeOutcome> {
    const user = record.userId ? await this.users.findById(record.userId) : null;
    if (!user) {
      return {
        kind: 'refused',
        refusal: { error: 'access_denied', status: 403, message: 'Unknown account.' },
      };
    }
    const refusal = await this.refusalFor(user, client);
    if (refusal) {
      await this.redirectSessions.spend(record.id);
      return { kind: 'refused', refusal };
    }
    return this.issueCode(record, client, user, record.data.authMethod ?? 'HEADLESS_LOGIN');
  }

  /**
   * The hosted login form: email (or username) and password, counted against the account like
   * every password check; answers the code, or why not.
   */
  async loginWithPassword(
    record: RedirectRecord<AuthRedirectData>,
    client: AuthClient,
    login: string,
    password: string,
    ctx: RequestContext,
  ): Promise<AuthorizeOutcome> {
    const subject = `user:${login}`;
    await this.limiter.assertAllowed(subject, ctx.ip);
    const user = await this.users.findByLogin(login);
    const ok = await this.users.verifyPassword(user, password);
    if (!ok || !user) {
      await this.limiter.recordFailure(subject, ctx.ip);
      return {
        kind: 'refused',
        refusal: { error: 'access_denied', status: 401, message: 'Invalid email or password.' },
      };
    }
    const refusal = await this.refusalFor(user, client);
    if (refusal) return { kind: 'refused', refusal };
    return this.issueCode(record, client, user, 'PASSWORD');
  }

  private async issueCode(
    record: RedirectRecord<AuthRedirectData>,
    client: AuthClient,
    user: User,
    authMethod: string,
  ): Promise<AuthorizeOutcome> {
    const data = record.data;
    const code = await this.dataSource.transaction(async (m) => {
      if (!(await this.redirectSessions.spend(record.id, m))) return null;
      const issued = await this.codes.issue(
        {
          client,
          userId: user.id,
          tenantId: client.tenantId,
          authMethod,
          redirectUri: data.redirectUri,
          codeChallenge: data.codeChallenge,
          codeChallengeMethod: 'S256',
          nonce: data.nonce,
          scope: data.scope,
        },
        m,
      );
      return issued.code;
    });
    if (!code) {
      throw new AppError(400, 'INVALID_REDIRECT_SESSION', 'The redirect session was already used');
    }
    return { kind: 'code', code };
  }

  /** Where the code (or an error) goes for `query` and `fragment`, with RFC 9207's `iss`. */
  redirectLocation(data: AuthRedirectData, params: Record<string, string>): string {
    const values = new URLSearchParams(params);
    if (data.state !== null) values.set('state', data.state);
    values.set('iss', this.config.jwtIssuer);
    const url = new URL(data.redirectUri);
    if (data.responseMode === 'fragment') {
      url.hash = values.toString();
    } else {
      for (const [k, v] of values) url.searchParams.set(k, v);
    }
    return url.toString();
  }
}
