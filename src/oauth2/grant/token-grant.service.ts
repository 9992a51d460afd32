import { Inject, Injectable } from '@nestjs/common';
import { AppError, Errors } from '../../common/errors/app-error.js';
import type { AuthClaims } from '../../common/http/authenticated-request.js';
import type { RequestContext } from '../../common/http/request-context.js';
import { AttemptLimiter, BAD_TOKEN_CODES, hasCode, IpOnly } from '../../common/rate-limit/attempt-limiter.js';
import { beginAll } from '../../common/rate-limit/begin-all.js';
import { Db, type Queryable } from '../../database/db.js';
import { ClientsService } from '../../identity/clients.service.js';
import { CodeBudget } from '../../identity/credentials/code-budget.js';
import { CredentialCheck } from '../../identity/credentials/credential-check.js';
import type { AuthClient, User } from '../../identity/identity.types.js';
import { MembershipsService } from '../../identity/memberships.service.js';
import { MfaPolicy } from '../../identity/mfa-policy.js';
import { isUuid } from '../../common/validation/ids.js';
import { UsersService } from '../../identity/users.service.js';
import { MFA_CHALLENGE_FACTORS, MfaChallengeFactors } from '../../tokens/mfa-challenges.js';
import { OneTimeRecord, OneTimeTokensService } from '../../tokens/one-time-tokens.service.js';
import { PASSKEY_AUTH_METHOD, PASSKEY_FACTOR, PasskeyFactor } from '../../tokens/passkeys.js';
import { IssuedTokens, LiveSession, SessionFace, SessionsService } from '../../tokens/sessions.service.js';

/** The MFA challenge of the password grant: 5 minutes, 5 wrong codes (API.md section 8). */
export const MFA_CHALLENGE_TTL_S = 300;
export const MFA_CHALLENGE_MAX_FAILURES = 5;
export const SSO_TOKEN_TTL_S = 60;

/** The token answer of section 8. */
export interface GrantTokens {
  /** The session (refresh-token family) id: the `tokenId` of the token list. */
  id: string;
  accessToken: string;
  refreshToken: string;
  /** Access-token expiry, ISO-8601. */
  expiresAt: string;
  userId: string;
}

/** What an SSO token remembers of the session that generated it. */
interface SsoTokenData {
  /** The face of that session: the new session inherits it (a headless one stays in its tenant). */
  face?: SessionFace;
}

interface ChallengeData {
  /** The emailed or texted code offered when the user has no method of their own. */
  otpId?: string;
}

export interface SessionView extends LiveSession {
  current: boolean;
}

class NoMatch extends Error {}

function grantTokens(t: IssuedTokens, userId: string): GrantTokens {
  return {
    id: t.sessionId,
    accessToken: t.accessToken,
    refreshToken: t.refreshToken,
    expiresAt: t.accessTokenExpiresAt.toISOString(),
    userId,
  };
}

/**
 * API.md section 8 grants: the password grant (which answers 401 MFA_REQUIRED with a challenge
 * when a second factor is due), the MFA grant that finishes it, refresh, SSO tokens, and the
 * caller's own session list. Every login ends in SessionsService.start.
 */
@Injectable()
export class TokenGrantService {
  constructor(
    private readonly db: Db,
    private readonly clients: ClientsService,
    private readonly credentials: CredentialCheck,
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
    private readonly mfaPolicy: MfaPolicy,
    private readonly sessions: SessionsService,
    private readonly oneTime: OneTimeTokensService,
    @Inject(MFA_CHALLENGE_FACTORS) private readonly factors: MfaChallengeFactors,
    private readonly limiter: AttemptLimiter,
    private readonly codeBudget: CodeBudget,
    @Inject(PASSKEY_FACTOR) private readonly passkeys: PasskeyFactor,
  ) {}

  /** These routes serve public clients: the client must exist, no secret is asked. */
  private async requireClient(clientId: string): Promise<AuthClient> {
    const client = await this.clients.findByClientId(clientId);
    if (!client) throw Errors.invalidClient();
    return client;
  }

  async passwordGrant(
    input: { email: string; password: string; clientId: string },
    ctx: RequestContext,
  ): Promise<GrantTokens> {
    const client = await this.requireClient(input.clientId);
    const user = await this.credentials.signIn(input.email, input.password, ctx.ip, {
      tenantId: client.tenantId,
    });
    // Only now, with the password proven, may the answer say something about the account.
    await this.memberships.requireActive(user.id, client.tenantId);
    if (this.mfaPolicy.isSecondFactorDue(user, client)) throw await this.challenge(user, client);
    const tokens = await this.sessions.start({
      userId: user.id,
      tenantId: client.tenantId,
      client,
      authMethod: 'PASSWORD',
      ctx,
    });
    return grantTokens(tokens, user.id);
  }

  /**
   * 401 MFA_REQUIRED with `mfa: {token, methods}`. The methods are the user's confirmed ones; a
   * user who has none (MFA is due because the client requires it) is sent a 6-digit code by email
   * (or SMS), offered as a method of type `email` (`sms`).
   */
  private async challenge(user: User, client: AuthClient): Promise<AppError> {
    const methods = await this.factors.methods(user.id);
    const token = await this.db.transaction(async (tx) => {
      const data: ChallengeData = {};
      if (methods.length === 0) {
        const sent = await this.factors.sendCode(tx, {
          user,
          clientId: client.id,
          appName: client.name,
        });
        if (sent) {
          data.otpId = sent.id;
          methods.push(sent);
        }
      }
      const issued = await this.oneTime.issueIn(tx, {
        purpose: 'mfa-challenge',
        ttlSeconds: MFA_CHALLENGE_TTL_S,
        userId: user.id,
        clientId: client.id,
        tenantId: client.tenantId,
        data: { ...data },
      });
      return issued.token;
    });
    return Errors.mfaRequired({ mfa: { token, methods } });
  }

  private liveChallenge(token: string, ip: string): Promise<OneTimeRecord<ChallengeData>> {
    return this.limiter.guard(IpOnly.token, ip, async () => {
      const found = await this.oneTime.peek<ChallengeData>('mfa-challenge', token);
      if (!found?.userId || !found.clientId || !found.tenantId) throw Errors.invalidToken();
      return found;
    });
  }

  /**
   * The assertion options of a passkey method of an MFA challenge (API.md section 13): a challenge
   * bound to this MFA challenge and user, single use, 5 minutes. 404 when methodId is not one of
   * the user's passkeys.
   */
  async mfaOptions(input: { token: string; methodId: string }, ctx: RequestContext) {
    const challenge = await this.liveChallenge(input.token, ctx.ip);
    const options = await this.passkeys.secondFactorOptions(
      challenge.userId!,
      `mfa-grant:${challenge.id}`,
      input.methodId,
    );
    if (!options) throw Errors.notFound('No such passkey among the methods of this challenge');
    return { options };
  }

  /** Finishes a password grant with a code (or a passkey assertion) of one of the challenge's methods. */
  async mfaGrant(
    input: { token: string; methodId: string; code?: string; credential?: unknown },
    ctx: RequestContext,
  ): Promise<GrantTokens> {
    const challenge = await this.liveChallenge(input.token, ctx.ip);
    const userId = challenge.userId!;
    const client = await this.clients.findById(challenge.clientId!);
    if (!client) throw Errors.invalidToken();
    // A wrong code counts against the user's one budget of second factors; the emailed code also
    // against the daily budget of codes (API.md section 12).
    const emailed = Boolean(challenge.data.otpId) && input.methodId === challenge.data.otpId;
    const attempt = await beginAll(
      () => this.limiter.beginSecondFactor(userId),
      ...(emailed ? [() => this.codeBudget.begin(userId)] : []),
    );
    try {
      const tokens = await this.db.transaction(async (tx) => {
        const authMethod =
          input.credential !== undefined
            ? await this.provePasskey(challenge, client, input.methodId, input.credential)
            : await this.prove(tx, challenge, input.methodId, (input.code ?? '').trim());
        if (!authMethod) throw new NoMatch();
        if (!(await this.oneTime.consumeByIdIn(tx, challenge.id))) throw Errors.invalidToken();
        return this.sessions.startIn(tx, {
          userId,
          tenantId: challenge.tenantId!,
          client,
          authMethod,
          ctx,
        });
      });
      await attempt.succeeded();
      return grantTokens(tokens, userId);
    } catch (err) {
      if (!(err instanceof NoMatch)) {
        await attempt.succeeded();
        throw err;
      }
      await this.oneTime.recordFailure(challenge.id, MFA_CHALLENGE_MAX_FAILURES);
      throw input.credential !== undefined ? Errors.invalidPasskey() : Errors.invalidMfaCode();
    }
  }

  /** A passkey assertion answering a challenge of `mfaOptions` for this MFA challenge. */
  private async provePasskey(
    challenge: OneTimeRecord<ChallengeData>,
    client: AuthClient,
    methodId: string,
    credential: unknown,
  ): Promise<string | null> {
    const ok = await this.passkeys.verifySecondFactor({
      userId: challenge.userId!,
      binding: `mfa-grant:${challenge.id}`,
      credential,
      client,
      methodId,
    });
    return ok ? PASSKEY_AUTH_METHOD : null;
  }

  /** Checks and spends the code for the named method; answers the session's authMethod, or null. */
  private async prove(
    tx: Queryable,
    challenge: OneTimeRecord<ChallengeData>,
    methodId: string,
    code: string,
  ): Promise<string | null> {
    const userId = challenge.userId!;
    if (challenge.data.otpId && methodId === challenge.data.otpId) {
      return this.factors.proveSentCode(tx, userId, methodId, code);
    }
    return this.factors.proveMethodCode(tx, userId, methodId, code);
  }

  /** `{refreshToken}`: a rotated pair (reuse of a rotated token revokes the session). */
  async refreshGrant(refreshToken: string, ctx: RequestContext): Promise<GrantTokens> {
    const tokens = await this.limiter.guard(
      IpOnly.token,
      ctx.ip,
      () => this.sessions.refresh(refreshToken, { ctx }),
      hasCode(...BAD_TOKEN_CODES),
    );
    return grantTokens(tokens, tokens.claims.sub);
  }

  /** The caller's live sessions, newest first; `current` marks the one of the presented token. */
  async listSessions(auth: AuthClaims): Promise<SessionView[]> {
    const live = await this.sessions.listLiveForUser(auth.sub);
    return live.map((s) => ({ ...s, current: s.id === auth.sid }));
  }

  /** Ends one of the caller's sessions (404 for anyone else's, or an unknown or ended one). */
  async revokeSession(auth: AuthClaims, sessionId: string, ctx: RequestContext): Promise<void> {
    const session = isUuid(sessionId) ? await this.sessions.findLiveSession(sessionId) : undefined;
    if (!session || session.userId !== auth.sub) throw Errors.notFound('No such session');
    await this.sessions.end(session.id, { reason: 'revoked_by_user', ctx });
  }

  /**
   * A single-use SSO token (60 s) for the caller, remembering the client, tenant and face of the
   * session (a session begun with a headless member token hands its tenant binding on).
   */
  async generateSsoToken(auth: AuthClaims): Promise<{ ssoToken: string; expiresAt: string }> {
    const [client, session] = await Promise.all([
      this.clients.findByClientId(auth.cid),
      this.sessions.findLiveSession(auth.sid),
    ]);
    if (!client) throw Errors.unauthorized('The client of this token no longer exists');
    if (!session || session.userId !== auth.sub)
      throw Errors.unauthorized('The session of this token has ended');
    const { token, expiresAt } = await this.oneTime.issue({
      purpose: 'sso-token',
      ttlSeconds: SSO_TOKEN_TTL_S,
      userId: auth.sub,
      clientId: client.id,
      tenantId: auth.tid,
      data: { face: session.face } satisfies SsoTokenData,
    });
    return { ssoToken: token, expiresAt: expiresAt.toISOString() };
  }

  /**
   * Trades an SSO token for a new session of the same user, in the tenant where the token was
   * generated: for `clientId`, which must be a client of that tenant (else 403 FORBIDDEN: an SSO
   * token never moves a user into another tenant), or by default the client of the session that
   * generated it. The new session inherits that session's face. A refused request (unknown or
   * foreign client, not a member, MFA the source did not need) does not spend the token.
   */
  async consumeSsoToken(
    input: { ssoToken: string; clientId?: string },
    ctx: RequestContext,
  ): Promise<GrantTokens> {
    const record = await this.limiter.guard(IpOnly.token, ctx.ip, async () => {
      const found = await this.oneTime.peek<SsoTokenData>('sso-token', input.ssoToken);
      if (!found?.userId || !found.clientId || !found.tenantId) throw Errors.invalidToken();
      return found;
    });
    const target = input.clientId === undefined ? undefined : await this.requireClient(input.clientId);
    const [source, user] = await Promise.all([
      this.clients.findById(record.clientId!),
      this.users.findById(record.userId!),
    ]);
    const client = target ?? source;
    if (!client || !source || !user) throw Errors.invalidToken();
    if (target && target.id !== source.id && target.tenantId !== record.tenantId) {
      throw Errors.forbidden('An SSO token is consumed only by clients of the tenant where it was generated');
    }
    // The token carries the login of its session: it cannot skip a second factor the target
    // client requires when the source client did not.
    if (this.mfaPolicy.isSecondFactorDue(user, client) && !this.mfaPolicy.isSecondFactorDue(user, source)) {
      throw Errors.mfaRequired();
    }
    const tenantId = record.tenantId!;
    const face = record.data.face ?? 'auth';
    const tokens = await this.db.transaction(async (tx) => {
      if (!(await this.oneTime.consumeIn(tx, 'sso-token', input.ssoToken))) throw Errors.invalidToken();
      return this.sessions.startIn(tx, {
        userId: user.id,
        tenantId,
        client,
        authMethod: 'SSO_TOKEN',
        face,
        ctx,
      });
    });
    return grantTokens(tokens, user.id);
  }
}
