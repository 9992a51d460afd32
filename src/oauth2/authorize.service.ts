import { Inject, Injectable } from '@nestjs/common';
import { AppError, Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { AttemptLimiter, hasCode } from '../common/rate-limit/attempt-limiter.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Db } from '../database/db.js';
import { ClientsService } from '../identity/clients.service.js';
import type { AuthClient, User } from '../identity/identity.types.js';
import { MfaPolicy } from '../identity/mfa-policy.js';
import { CredentialCheck } from '../identity/credentials/credential-check.js';
import { UsersService } from '../identity/users.service.js';
import { AuthCodesService } from '../tokens/auth-codes.service.js';
import { OneTimeTokensService } from '../tokens/one-time-tokens.service.js';
import { PASSKEY_AUTH_METHOD } from '../tokens/passkeys.js';
import { SECOND_FACTOR_VERIFIER, SecondFactorVerifier } from '../tokens/second-factor.js';
import { AccessTokensService } from '../tokens/access-tokens.service.js';
import {
  AuthorizationRequestError,
  AuthorizationTarget,
  authorizationTarget,
  AuthRequest,
  AuthRequestInput,
  hasScope,
  validateAuthRequest,
} from './auth-request.js';
import type { HostedSession, SignIn } from './hosted-sessions.service.js';
import { AuthRedirectData, RedirectRecord, RedirectSessionsService } from './redirect-sessions.service.js';
import { Refusal, SignInRules } from './sign-in-rules.js';
import { readSignInOptions, readStandardQuery, SignInOptions } from './standard-request.js';

export type AuthorizeOutcome =
  /** A code; `signIn` when the user just signed in (the browser gets a hosted session). */
  | { kind: 'code'; code: string; signIn?: SignIn }
  | { kind: 'refused'; refusal: Refusal }
  /** The password matched and a second factor is due: ask for a code with this token. */
  | { kind: 'mfa'; mfaToken: string; error?: string };

/** A final answer for the client: a code or a refusal. */
export type FinalOutcome = Exclude<AuthorizeOutcome, { kind: 'mfa' }>;

/** The hosted page's "password passed, second factor next" step: 5 minutes, 5 wrong codes. */
export const HOSTED_MFA_PURPOSE = 'hosted-mfa';
const HOSTED_MFA_TTL_S = 300;
const HOSTED_MFA_MAX_FAILURES = 5;

/** A standard request: valid, or refused with an error that goes to its (known) redirect URI. */
export type StandardRequest =
  | { kind: 'ok'; client: AuthClient; request: AuthRequest; options: SignInOptions }
  | { kind: 'error'; client: AuthClient; target: AuthorizationTarget; error: string; description: string };

/**
 * The authorization endpoint's rules: reading the standard query, checking a user who logged in
 * on the hosted page (or through a sessionToken), and issuing the code. Codes are issued through
 * AuthCodesService and exchanged at /oauth2/token, where SessionsService.start writes the session.
 */
@Injectable()
export class AuthorizeService {
  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redirectSessions: RedirectSessionsService,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly mfa: MfaPolicy,
    private readonly codes: AuthCodesService,
    private readonly limiter: AttemptLimiter,
    private readonly credentials: CredentialCheck,
    private readonly oneTime: OneTimeTokensService,
    @Inject(SECOND_FACTOR_VERIFIER) private readonly secondFactor: SecondFactorVerifier,
    private readonly accessTokens: AccessTokensService,
    private readonly rules: SignInRules,
  ) {}

  /**
   * Reads the standard RFC 6749 / OpenID Connect request (query or form body). Errors before the
   * client and its redirect URI are known are thrown (answered directly, never redirected: 401
   * INVALID_CLIENT, 400 INVALID_REDIRECT_URI / INVALID_REQUEST); after that they are answered as
   * `{kind: 'error'}` for the redirect URI (RFC 6749 section 4.1.2.1). With the `openid` scope the
   * redirect_uri is required (OpenID Connect Core 1.0 section 3.1.2.1).
   */
  async parseStandard(query: Record<string, unknown>): Promise<StandardRequest> {
    const q = readStandardQuery(query);
    if (!q.client_id) throw new AppError(400, 'INVALID_REQUEST', 'client_id is required');
    const client = await this.clients.findByClientId(q.client_id);
    if (!client) throw Errors.invalidClient();
    if (q.redirect_uri === undefined && hasScope(q.scope, 'openid')) {
      throw new AppError(400, 'INVALID_REQUEST', 'redirect_uri is required with the openid scope');
    }
    const input: AuthRequestInput = {
      redirectUri: q.redirect_uri,
      responseType: q.response_type ?? '',
      responseMode: q.response_mode ?? 'query',
      codeChallenge: q.code_challenge,
      codeChallengeMethod: q.code_challenge_method ?? 'plain',
      scope: q.scope,
      state: q.state,
      nonce: q.nonce,
    };
    const target = authorizationTarget(client, input);
    try {
      const { idTokenHint, ...options } = readSignInOptions(q);
      const request = validateAuthRequest(client, input);
      if (idTokenHint !== undefined) {
        const hint = await this.accessTokens.readIdToken(idTokenHint);
        if (!hint) {
          throw new AuthorizationRequestError(
            'invalid_request',
            'INVALID_REQUEST',
            'id_token_hint is not an ID token of this service',
          );
        }
        options.hintSub = hint.sub;
      }
      return { kind: 'ok', client, request, options };
    } catch (err) {
      if (!(err instanceof AuthorizationRequestError)) throw err;
      return { kind: 'error', client, target, error: err.oauthError, description: err.message };
    }
  }

  /** A redirect session for the hosted login page of a standard request (answers its clear token). */
  async startLoginPage(client: AuthClient, request: AuthRequest, options: SignInOptions): Promise<string> {
    const { token } = await this.redirectSessions.createForStandardQuery(client, request, options.loginHint);
    return token;
  }

  /**
   * The code for a browser already signed in at the hosted page, when its hosted session may
   * answer this request: the same tenant, an ACTIVE member who may use the client, a due second
   * factor proven in that sign-in, no `prompt=login` / `select_account`, a sign-in no older than
   * `max_age`, and the user of `id_token_hint` if one was sent. Null when the user must sign in
   * (the caller shows the form, or answers login_required). With `record`, that redirect session
   * is spent with the code.
   */
  async fromHostedSession(
    hosted: HostedSession | null,
    client: AuthClient,
    request: AuthRequest,
    options: SignInOptions,
    record: RedirectRecord<AuthRedirectData> | null = null,
  ): Promise<FinalOutcome | null> {
    if (!hosted || hosted.tenantId !== client.tenantId) return null;
    if (options.prompt.has('login') || options.prompt.has('select_account')) return null;
    if (options.maxAge !== null && Date.now() - hosted.authTime.getTime() > options.maxAge * 1000)
      return null;
    if (options.hintSub !== undefined && options.hintSub !== hosted.userId) return null;
    const user = await this.users.findById(hosted.userId);
    if (!user || (await this.rules.refusalFor(user, client))) return null;
    if (this.mfa.isSecondFactorDue(user, client) && !hosted.mfa) return null;
    return this.issueCode(record, client, request, user, hosted.authMethod, hosted.authTime);
  }

  /**
   * After the password matched and a second factor is due: users with an authenticator get the
   * code step (a one-time token binds it to this redirect session and user); without one this
   * page has nothing to check, so the login is refused, never completed without the factor.
   */
  private async startMfaStep(
    record: RedirectRecord<AuthRedirectData>,
    client: AuthClient,
    user: User,
  ): Promise<AuthorizeOutcome> {
    if (!(await this.secondFactor.hasAuthenticator(user.id))) {
      return {
        kind: 'refused',
        refusal: {
          error: 'interaction_required',
          status: 401,
          message:
            'This account must confirm a second factor: set up an authenticator app in the application first.',
        },
      };
    }
    const { token } = await this.oneTime.issue({
      purpose: HOSTED_MFA_PURPOSE,
      ttlSeconds: HOSTED_MFA_TTL_S,
      userId: user.id,
      clientId: client.id,
      data: { redirectSessionId: record.id },
    });
    return { kind: 'mfa', mfaToken: token };
  }

  /**
   * The code step of the hosted page: a TOTP or recovery code of the user the password step
   * identified, for this redirect session. Five wrong codes end the step; wrong codes also count
   * against the account like wrong passwords. Success issues the code (authMethod TOTP or
   * RECOVERY_CODE).
   */
  async loginWithSecondFactor(
    record: RedirectRecord<AuthRedirectData>,
    client: AuthClient,
    mfaToken: string,
    code: string,
  ): Promise<AuthorizeOutcome> {
    const step = await this.oneTime.peek<{ redirectSessionId: string }>(HOSTED_MFA_PURPOSE, mfaToken);
    const expired: AuthorizeOutcome = {
      kind: 'refused',
      refusal: { error: 'access_denied', status: 401, message: 'The sign-in expired. Start again.' },
    };
    if (!step || !step.userId || step.data.redirectSessionId !== record.id || step.clientId !== client.id) {
      return expired;
    }
    const user = await this.users.findById(step.userId);
    if (!user) return expired;
    const attempt = await this.limiter.beginSecondFactor(user.id);
    const method = await this.db.transaction(async (tx) => {
      const proven = await this.secondFactor.verify(tx, user.id, code.trim());
      if (proven && !(await this.oneTime.consumeByIdIn(tx, step.id))) return null;
      return proven;
    });
    if (method) await attempt.succeeded();
    else {
      const left = await this.oneTime.recordFailure(step.id, HOSTED_MFA_MAX_FAILURES);
      if (left === 0) return expired;
      return { kind: 'mfa', mfaToken, error: 'Invalid code.' };
    }
    const refusal = await this.rules.refusalFor(user, client);
    if (refusal) return { kind: 'refused', refusal };
    const now = new Date();
    const outcome = await this.issueCode(record, client, record.data, user, method, now);
    return this.withSignIn(outcome, client, user, method, now, true);
  }

  /** A code from a sign-in that just happened: the browser gets a hosted session for it too. */
  private withSignIn(
    outcome: FinalOutcome,
    client: AuthClient,
    user: User,
    authMethod: string,
    authTime: Date,
    mfa: boolean,
  ): FinalOutcome {
    if (outcome.kind !== 'code') return outcome;
    return { ...outcome, signIn: { userId: user.id, tenantId: client.tenantId, authMethod, authTime, mfa } };
  }

  /**
   * A redirect session bound to a user by a sessionToken: re-checks the member (a lock or a new
   * second factor since the login counts), then spends the session and issues the code in one
   * transaction.
   */
  async completeBound(record: RedirectRecord<AuthRedirectData>, client: AuthClient): Promise<FinalOutcome> {
    const user = record.userId ? await this.users.findById(record.userId) : null;
    if (!user) {
      return {
        kind: 'refused',
        refusal: { error: 'access_denied', status: 403, message: 'Unknown account.' },
      };
    }
    // A passkey sign-in proved both factors: only the membership rules are left to check.
    const refusal =
      record.data.authMethod === PASSKEY_AUTH_METHOD
        ? await this.rules.refusalFor(user, client)
        : await this.rules.refusalWithoutMfaStep(user, client);
    if (refusal) {
      await this.redirectSessions.spend(record.id);
      return { kind: 'refused', refusal };
    }
    const authMethod = record.data.authMethod ?? 'HEADLESS_LOGIN';
    const authTime = new Date(record.data.authTime ?? record.createdAt.getTime());
    const outcome = await this.issueCode(record, client, record.data, user, authMethod, authTime);
    return this.withSignIn(outcome, client, user, authMethod, authTime, authMethod === PASSKEY_AUTH_METHOD);
  }

  /**
   * A user who proved both factors at once on the hosted page (a passkey, HostedPasskeys): the
   * membership refusals, then the code.
   */
  async completeProven(
    record: RedirectRecord<AuthRedirectData>,
    client: AuthClient,
    user: User,
    authMethod: string,
  ): Promise<FinalOutcome> {
    const refusal = await this.rules.refusalFor(user, client);
    if (refusal) return { kind: 'refused', refusal };
    const now = new Date();
    const outcome = await this.issueCode(record, client, record.data, user, authMethod, now);
    return this.withSignIn(outcome, client, user, authMethod, now, true);
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
    let user: User;
    try {
      user = await this.credentials.signIn(login, password, ctx.ip, { tenantId: client.tenantId });
    } catch (err) {
      if (!hasCode('INVALID_CREDENTIALS')(err)) throw err;
      return {
        kind: 'refused',
        refusal: { error: 'access_denied', status: 401, message: 'Invalid email or password.' },
      };
    }
    const refusal = await this.rules.refusalFor(user, client);
    if (refusal) return { kind: 'refused', refusal };
    if (this.mfa.isSecondFactorDue(user, client)) return this.startMfaStep(record, client, user);
    const now = new Date();
    const outcome = await this.issueCode(record, client, record.data, user, 'PASSWORD', now);
    return this.withSignIn(outcome, client, user, 'PASSWORD', now, false);
  }

  /**
   * Issues the code of `request` (an `oauth2` code, exchanged only at /oauth2/token) for `user`,
   * recording how and when the user signed in; with `record`, that redirect session is spent in
   * the same transaction (a second tab or a replay gets 400 INVALID_REDIRECT_SESSION).
   */
  private async issueCode(
    record: RedirectRecord<AuthRedirectData> | null,
    client: AuthClient,
    request: AuthRequest,
    user: User,
    authMethod: string,
    authTime: Date,
  ): Promise<FinalOutcome> {
    const code = await this.db.transaction(async (tx) => {
      if (record && !(await this.redirectSessions.spendIn(tx, record.id))) return null;
      const issued = await this.codes.issueIn(tx, {
        client,
        userId: user.id,
        tenantId: client.tenantId,
        authMethod,
        authTime,
        redirectUri: request.redirectUri,
        codeChallenge: request.codeChallenge,
        codeChallengeMethod: 'S256',
        nonce: request.nonce,
        scope: request.scope,
        // Exchanged only at /oauth2/token, which authenticates confidential clients.
        face: 'oauth2',
      });
      return issued.code;
    });
    if (!code) {
      throw new AppError(400, 'INVALID_REDIRECT_SESSION', 'The redirect session was already used');
    }
    return { kind: 'code', code };
  }

  /** Where the code (or an error) goes for `query` and `fragment`, with RFC 9207's `iss`. */
  redirectLocation(target: AuthorizationTarget, params: Record<string, string>): string {
    const values = new URLSearchParams(params);
    if (target.state !== null) values.set('state', target.state);
    values.set('iss', this.config.jwtIssuer);
    const url = new URL(target.redirectUri);
    if (target.responseMode === 'fragment') {
      url.hash = values.toString();
    } else {
      for (const [k, v] of values) url.searchParams.set(k, v);
    }
    return url.toString();
  }
}
