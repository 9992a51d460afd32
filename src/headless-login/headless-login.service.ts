import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError, Errors } from '../common/errors/app-error.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import type { RequestContext } from '../common/http/request-context.js';
import { Attempt, AttemptLimiter, AttemptSubjects, IpOnly } from '../common/rate-limit/attempt-limiter.js';
import { Db } from '../database/db.js';
import { ClientsService } from '../identity/clients.service.js';
import { CodeBudget } from '../identity/credentials/code-budget.js';
import { CredentialCheck } from '../identity/credentials/credential-check.js';
import { PasswordHasher } from '../identity/credentials/password-hasher.js';
import { PasswordPolicy } from '../identity/credentials/password-policy.js';
import type { AuthClient, MembershipStatus, User } from '../identity/identity.types.js';
import { MembershipsService } from '../identity/memberships.service.js';
import { MfaPolicy } from '../identity/mfa-policy.js';
import { UsersService } from '../identity/users.service.js';
import { RecipientLimiter } from '../notifications/recipient-limiter.js';
import { SessionTokensService } from '../tokens/session-tokens.service.js';
import { CaptchaService } from './captcha.service.js';
import type {
  LoginDto,
  LoginState,
  LoginStateResponseDto,
  RegisterDto,
  ResendDto,
  VerifyDto,
} from './dto/headless-login.dto.js';
import { EmailVerificationService, StateRecord } from './email-verification.service.js';
import { profileToStore } from './profile.js';

/** The login-activity `authMethod` of sessions that begin with these flows. */
export const HEADLESS_LOGIN_METHOD = 'HEADLESS_LOGIN';

const invalidStateCode = () =>
  new AppError(401, 'INVALID_CODE', 'Wrong or expired code, or an unknown, spent or expired stateToken');

/**
 * Register / login / verify with states (API.md section 7, seed 002). The states say what the
 * front end does next; failures are error bodies. A SUCCESS carries a short-lived single-use
 * sessionToken for a redirect session; an unfinished flow a stateToken. Whether a member may log
 * in is decided on the membership of the client's tenant, after the password matched.
 */
@Injectable()
export class HeadlessLoginService {
  constructor(
    private readonly db: Db,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly mfa: MfaPolicy,
    private readonly limiter: AttemptLimiter,
    private readonly credentials: CredentialCheck,
    private readonly codeBudget: CodeBudget,
    private readonly recipients: RecipientLimiter,
    private readonly captcha: CaptchaService,
    private readonly verification: EmailVerificationService,
    private readonly sessionTokens: SessionTokensService,
  ) {}

  /** The client the visitor (or member) token was issued to. */
  async clientOf(auth: AuthClaims): Promise<AuthClient> {
    const client = await this.clients.findByClientId(auth.cid);
    if (!client) throw Errors.invalidClient();
    return client;
  }

  private answer(
    state: LoginState,
    user: User,
    status: string,
    tokens: { sessionToken?: string; stateToken?: string } = {},
  ): LoginStateResponseDto {
    return {
      state,
      sessionToken: tokens.sessionToken ?? null,
      stateToken: tokens.stateToken ?? null,
      identity: { id: user.id, email: user.email ?? '', status },
    };
  }

  /**
   * The SUCCESS answer; refused with 401 MFA_REQUIRED while a second factor is due (never a token
   * without it), unless the sign-in proved both factors at once (`provenBy`, e.g. a passkey).
   */
  private async success(user: User, client: AuthClient, provenBy?: string): Promise<LoginStateResponseDto> {
    if (!provenBy && this.mfa.isSecondFactorDue(user, client)) {
      throw new AppError(
        401,
        'MFA_REQUIRED',
        'This account must confirm a second factor: sign in through the hosted login page (a redirect session without sessionToken)',
      );
    }
    const { token } = await this.sessionTokens.issue({
      userId: user.id,
      client,
      authMethod: provenBy ?? HEADLESS_LOGIN_METHOD,
    });
    return this.answer('SUCCESS', user, 'ACTIVE', { sessionToken: token });
  }

  async register(dto: RegisterDto, auth: AuthClaims, ctx: RequestContext): Promise<LoginStateResponseDto> {
    const client = await this.clientOf(auth);
    await this.captcha.check(client, dto.captchaToken, ctx);
    if (!client.allowSignUp) {
      throw new AppError(403, 'SIGN_UP_DISABLED', 'This application does not accept new members');
    }
    const email = dto.loginId.email.trim();
    await this.policy.assertAcceptable(dto.password, { email });
    const profile = profileToStore(dto.profile);
    const existing = await this.users.findByEmail(email);
    if (existing) {
      if (await this.users.hasPassword(existing.id)) {
        throw Errors.conflict(
          'EMAIL_ALREADY_EXISTS',
          'A member with that email already exists: log in instead',
        );
      }
      // A contact without a password (created by an admin or a provider): their mailbox proves the
      // address is theirs before the password and the membership are set (at /auth/v2/verify).
      // Until then nothing of the account is shown (API.md section 12): the answer looks like a
      // new registration's, with an identity that is not the account's id or status.
      await this.recipients.hit('email', email, existing);
      const pendingPasswordHash = await this.hasher.hash(dto.password);
      const stateToken = await this.db.transaction((tx) =>
        this.verification.start(tx, {
          userId: existing.id,
          email: existing.email ?? email,
          client,
          data: { pendingPasswordHash, profile },
        }),
      );
      return {
        state: 'REQUIRE_EMAIL_VERIFICATION',
        sessionToken: null,
        stateToken,
        identity: { id: randomUUID(), email, status: 'PENDING_VERIFICATION' },
      };
    }
    const status: MembershipStatus = client.requireEmailVerification
      ? 'PENDING_VERIFICATION'
      : client.requireOwnerApproval
        ? 'PENDING_APPROVAL'
        : 'ACTIVE';
    if (status === 'PENDING_VERIFICATION') await this.recipients.hit('email', email, null);
    const created = await this.db.transaction(async (tx) => {
      const { user } = await this.users.createUserIn(tx, {
        email,
        password: dto.password,
        tenantId: client.tenantId,
        status,
        emailVerified: false,
        profile,
        firstName: typeof profile.firstName === 'string' ? profile.firstName : null,
        lastName: typeof profile.lastName === 'string' ? profile.lastName : null,
      });
      const stateToken =
        status === 'PENDING_VERIFICATION'
          ? await this.verification.start(tx, { userId: user.id, email, client })
          : undefined;
      return { user, stateToken };
    });
    if (status === 'PENDING_VERIFICATION') {
      return this.answer('REQUIRE_EMAIL_VERIFICATION', created.user, status, {
        stateToken: created.stateToken,
      });
    }
    if (status === 'PENDING_APPROVAL') return this.answer('REQUIRE_OWNER_APPROVAL', created.user, status);
    return this.success(created.user, client);
  }

  async login(dto: LoginDto, auth: AuthClaims, ctx: RequestContext): Promise<LoginStateResponseDto> {
    const client = await this.clientOf(auth);
    await this.captcha.check(client, dto.captchaToken, ctx);
    const email = dto.loginId.email.trim();
    const user = await this.credentials.signIn(email, dto.password, ctx.ip, {
      byEmail: true,
      tenantId: client.tenantId,
    });
    // Only now, with the password proven, may the answer say something about the account.
    return this.afterSignIn(user, client, email);
  }

  /**
   * A sign-in that proved both factors at once (a passkey, through the token engine's
   * ProvenLogin): the membership rules of a login, then a sessionToken for `authMethod`. An email
   * verification on the way remembers it, so /auth/v2/verify finishes without an MFA step.
   */
  provenLogin(user: User, client: AuthClient, authMethod: string): Promise<LoginStateResponseDto> {
    return this.afterSignIn(user, client, user.email ?? '', authMethod);
  }

  private async afterSignIn(
    user: User,
    client: AuthClient,
    email: string,
    provenBy?: string,
  ): Promise<LoginStateResponseDto> {
    const membership = await this.memberships.find(user.id, client.tenantId);
    if (!membership) throw Errors.notAMember();
    const status = membership.status;
    const unverified =
      status === 'PENDING_VERIFICATION' ||
      (client.requireEmailVerification &&
        !user.emailVerified &&
        (status === 'ACTIVE' || status === 'PENDING_APPROVAL'));
    if (unverified) {
      await this.recipients.hit('email', user.email ?? email, user);
      const stateToken = await this.db.transaction((tx) =>
        this.verification.start(tx, {
          userId: user.id,
          email: user.email ?? email,
          client,
          data: provenBy ? { provenBy } : undefined,
        }),
      );
      return this.answer('REQUIRE_EMAIL_VERIFICATION', user, status, { stateToken });
    }
    if (status === 'PENDING_APPROVAL') return this.answer('REQUIRE_OWNER_APPROVAL', user, status);
    if (status !== 'ACTIVE') throw Errors.membershipStatus(status);
    return this.success(user, client, provenBy);
  }

  private async liveState(token: string, client: AuthClient): Promise<StateRecord | null> {
    const state = await this.verification.findState(token);
    return state && state.clientId === client.id && state.userId ? state : null;
  }

  async verify(dto: VerifyDto, auth: AuthClaims, ctx: RequestContext): Promise<LoginStateResponseDto> {
    const client = await this.clientOf(auth);
    const state = await this.limiter.guard(IpOnly.token, ctx.ip, async () => {
      const found = await this.liveState(dto.stateToken, client);
      if (!found) throw invalidStateCode();
      return found;
    });
    const userId = state.userId!;
    // A wrong code counts against the account (per IP and overall) and its daily code budget;
    // past the code budget, email verification stops (429) until a password sign-in or a reset.
    const attempt = await this.limiter.begin(AttemptSubjects.account(userId), ctx.ip);
    let budget: Attempt;
    try {
      budget = await this.codeBudget.begin(userId);
    } catch (err) {
      await attempt.succeeded(); // refused before the code was checked: it does not count
      throw err;
    }
    const nextStatus: MembershipStatus = client.requireOwnerApproval ? 'PENDING_APPROVAL' : 'ACTIVE';
    const done = await this.db.transaction(async (tx) => {
      const proof = await this.verification.complete(tx, state, dto.code);
      if (!proof) return null;
      if (state.data.pendingPasswordHash)
        await this.users.setPasswordHash(tx, userId, state.data.pendingPasswordHash);
      if (state.data.profile && Object.keys(state.data.profile).length) {
        await this.users.updateProfileIn(tx, userId, state.data.profile, []);
      }
      // The address the code was mailed to is proven (if it is still the user's).
      if (proof.email) await this.users.markEmailVerified(tx, userId, proof.email);
      const membership = await this.memberships.findIn(tx, userId, client.tenantId);
      if (!membership) {
        await this.memberships.addMembershipIn(tx, userId, client.tenantId, null, nextStatus);
      } else if (membership.status === 'PENDING_VERIFICATION') {
        await this.users.updateUserIn(tx, userId, { tenantId: client.tenantId, status: nextStatus });
      }
      return true;
    });
    if (!done) {
      await this.verification.recordWrongCode(state);
      throw invalidStateCode();
    }
    await Promise.all([attempt.succeeded(), budget.succeeded()]);
    const user = await this.users.findById(userId);
    const membership = await this.memberships.find(userId, client.tenantId);
    if (!user || !membership) throw Errors.notAMember();
    if (membership.status === 'PENDING_APPROVAL')
      return this.answer('REQUIRE_OWNER_APPROVAL', user, membership.status);
    if (membership.status !== 'ACTIVE') throw Errors.membershipStatus(membership.status);
    return this.success(user, client, state.data.provenBy);
  }

  async resend(dto: ResendDto, auth: AuthClaims, ctx: RequestContext): Promise<Record<string, never>> {
    const client = await this.clientOf(auth);
    const { state, user } = await this.limiter.guard(IpOnly.token, ctx.ip, async () => {
      const found = await this.liveState(dto.stateToken, client);
      const owner = found ? await this.users.findById(found.userId!) : null;
      if (!found || !owner?.email) {
        throw new AppError(401, 'INVALID_TOKEN', 'The stateToken is unknown, spent or expired');
      }
      return { state: found, user: owner };
    });
    await this.recipients.hit('email', user.email!, user);
    await this.db.transaction((tx) => this.verification.sendCode(tx, state, user.email!, client));
    return {};
  }
}
