import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { randomToken, sha256 } from '../common/crypto/tokens.js';
import { Errors } from '../common/errors/app-error.js';
import { lazy } from '../common/lazy.js';
import type { RequestContext } from '../common/http/request-context.js';
import { AttemptLimiter, IpOnly } from '../common/rate-limit/attempt-limiter.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Db, isUniqueViolation } from '../database/db.js';
import type { AuthClient, User } from '../identity/identity.types.js';
import { UsersService } from '../identity/users.service.js';
import { OutboxService } from '../notifications/outbox.service.js';
import * as sql from './passkeys.queries.js';
import {
  acceptedOrigins,
  asAssertion,
  asRegistration,
  challengeOf,
  credentialIdOf,
  userHandleB64,
  userHandleOf,
} from './webauthn.js';

/** The WebAuthn library, loaded by the first passkey ceremony rather than at start-up. */
const webauthn = lazy(() => import('@simplewebauthn/server'));

/** Challenges live 5 minutes (API.md section 13); the browser's own timeout is the same. */
export const CHALLENGE_TTL_S = 300;
const TIMEOUT_MS = CHALLENGE_TTL_S * 1000;
const PURGE_INTERVAL_MS = 10 * 60_000;

/** A passkey as an MFA method (what registration answers). */
export interface PasskeyMethodAnswer {
  methodId: string;
  type: 'passkey';
  name: string;
}

/** Who signed in with a passkey. */
export interface PasskeySignIn {
  user: User;
  userVerified: boolean;
}

/**
 * The WebAuthn ceremonies of API.md section 13 over the passkey store: registration by a member,
 * discoverable (or email-scoped) sign-in, and assertions as a second factor. Challenges are single
 * use and live 5 minutes in Postgres; every refusal of an assertion or attestation is null/false
 * here and 401 INVALID_PASSKEY for the caller, whatever the reason (wrong origin or RP id, bad
 * signature, a counter that went back, no user presence, a credential of another user, a spent or
 * foreign challenge), so the answer tells an attacker nothing.
 */
@Injectable()
export class PasskeysService {
  private readonly logger = new Logger('Passkeys');

  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly outbox: OutboxService,
    private readonly limiter: AttemptLimiter,
  ) {}

  private get rpId(): string {
    return this.config.webauthnRpId;
  }

  /** Where the ceremony may come from: PUBLIC_URL, plus the client's origins under the RP id. */
  origins(client: AuthClient | null): string[] {
    return acceptedOrigins(this.config.publicUrl, this.rpId, client?.allowedOrigins ?? []);
  }

  private newState(): { stateToken: string; stateHash: Buffer } {
    const stateToken = randomToken(32);
    return { stateToken, stateHash: sha256(stateToken) };
  }

  // ---- registration ------------------------------------------------------------------------

  /** Creation options for a new passkey of the member; the member's passkeys are excluded. */
  async registrationOptions(
    user: User,
    client: AuthClient,
    name: string | undefined,
  ): Promise<{ stateToken: string; options: PublicKeyCredentialCreationOptionsJSON }> {
    const existing = await sql.credentialsOf(this.db, user.id);
    const { generateRegistrationOptions } = await webauthn();
    const options = await generateRegistrationOptions({
      rpName: client.name || this.rpId,
      rpID: this.rpId,
      userID: userHandleOf(user.id),
      userName: user.email ?? user.username ?? user.id,
      userDisplayName: [user.firstName, user.lastName].filter(Boolean).join(' ') || (user.email ?? ''),
      attestationType: 'none',
      timeout: TIMEOUT_MS,
      excludeCredentials: existing.map((c) => ({ id: c.credentialId, transports: c.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    });
    const { stateToken, stateHash } = this.newState();
    const chosen = name?.trim() || (existing.length === 0 ? 'Passkey' : `Passkey ${existing.length + 1}`);
    await sql.saveChallenge(this.db, {
      purpose: 'register',
      challenge: options.challenge,
      stateHash,
      userId: user.id,
      binding: `client:${client.id}`,
      name: chosen,
      ttlSeconds: CHALLENGE_TTL_S,
    });
    return { stateToken, options };
  }

  /**
   * Verifies the attestation against the member's challenge and stores the credential; MFA is on
   * from now on and the member is mailed the "authenticator added" notice, in one transaction.
   */
  async register(
    user: User,
    client: AuthClient,
    stateToken: string,
    credential: unknown,
    ctx: RequestContext,
  ): Promise<PasskeyMethodAnswer> {
    const challenge = await this.limiter.guard(IpOnly.token, ctx.ip, async () => {
      const found = await sql.takeChallengeByState(this.db, sha256(stateToken), 'register');
      if (!found || found.userId !== user.id || found.binding !== `client:${client.id}`) {
        throw Errors.invalidPasskey("The stateToken is unknown, spent, expired or not this member's");
      }
      return found;
    });
    let info;
    try {
      const { verifyRegistrationResponse } = await webauthn();
      const verified = await verifyRegistrationResponse({
        response: asRegistration(credential),
        expectedChallenge: challenge.challenge,
        expectedOrigin: this.origins(client),
        expectedRPID: this.rpId,
        requireUserVerification: false,
      });
      if (!verified.verified) throw new Error('not verified');
      info = verified.registrationInfo;
    } catch (err) {
      this.logger.debug(`registration refused: ${(err as Error).message}`);
      throw Errors.invalidPasskey();
    }
    const name = challenge.name ?? 'Passkey';
    try {
      const stored = await this.db.transaction(async (tx) => {
        const owner = await this.users.lockIn(tx, user.id);
        if (!owner) throw Errors.unauthorized('The user no longer exists');
        const row = await sql.insertCredential(tx, {
          userId: user.id,
          credentialId: info.credential.id,
          publicKey: info.credential.publicKey,
          counter: info.credential.counter,
          transports: info.credential.transports ?? [],
          backupEligible: info.credentialDeviceType === 'multiDevice',
          backedUp: info.credentialBackedUp,
          name,
        });
        await this.users.setMfaEnabledIn(tx, user.id, true);
        if (owner.email) {
          await this.outbox.enqueue(tx, {
            channel: 'email',
            to: owner.email,
            template: 'authenticator-added',
            data: { method: name },
          });
        }
        return row;
      });
      return { methodId: stored.id, type: 'passkey', name: stored.name };
    } catch (err) {
      // The same authenticator credential stored already (the browser's excludeCredentials skipped).
      if (isUniqueViolation(err, 'passkey_credential_credential_id_key')) throw Errors.invalidPasskey();
      throw err;
    }
  }

  // ---- sign-in -------------------------------------------------------------------------------

  /**
   * Request options of a sign-in. Without an email: no allowCredentials (discoverable
   * credentials). With one: the passkeys of that account, and only its passkeys are accepted;
   * an unknown email (or one without passkeys) gets options that no passkey can finish.
   */
  async startSignIn(
    binding: string,
    email?: string,
  ): Promise<{ stateToken: string; options: PublicKeyCredentialRequestOptionsJSON }> {
    let user: User | null = null;
    let allow: sql.PasskeyRecord[] = [];
    const typed = email?.trim().toLowerCase();
    if (typed) {
      user = await this.users.findByEmail(typed);
      if (user) allow = await sql.credentialsOf(this.db, user.id);
    }
    const options = await this.requestOptions(typed ? allow : undefined);
    const { stateToken, stateHash } = this.newState();
    await sql.saveChallenge(this.db, {
      purpose: 'sign-in',
      challenge: options.challenge,
      stateHash,
      userId: user?.id ?? null,
      binding,
      // Remembers that an email was typed: then only that account's passkeys finish the sign-in.
      name: typed ? 'email' : null,
      ttlSeconds: CHALLENGE_TTL_S,
    });
    return { stateToken, options };
  }

  /**
   * Finishes a sign-in: the challenge of the stateToken (spent now, whatever follows) must have
   * been made for this binding, the credential must be stored (and the typed account's, when an
   * email was typed), and its assertion must verify for one of `origins`. A wrong assertion of a
   * known credential counts against its owner's budget of second factors; an unknown stateToken
   * or credential counts per IP. Null when refused.
   */
  async finishSignIn(
    stateToken: string,
    binding: string,
    credential: unknown,
    origins: string[],
    ip: string,
  ): Promise<PasskeySignIn | null> {
    const found = await this.limiter
      .guard(IpOnly.token, ip, async () => {
        const challenge = await sql.takeChallengeByState(this.db, sha256(stateToken), 'sign-in');
        if (!challenge || challenge.binding !== binding) throw Errors.invalidPasskey();
        const id = credentialIdOf(credential);
        const stored = id ? await sql.credentialById(this.db, id) : undefined;
        if (!stored) throw Errors.invalidPasskey();
        return { challenge, stored };
      })
      .catch((err: unknown) => {
        if ((err as { code?: string }).code === 'INVALID_PASSKEY') return null;
        throw err;
      });
    if (!found) return null;
    const { challenge, stored } = found;
    const attempt = await this.limiter.beginSecondFactor(stored.userId);
    const scoped = challenge.name === 'email';
    if (scoped && challenge.userId !== stored.userId) return null;
    const userVerified = await this.checkAssertion(stored, challenge.challenge, credential, origins);
    if (userVerified === null) return null;
    await attempt.succeeded();
    const user = await this.users.findById(stored.userId);
    return user ? { user, userVerified } : null;
  }

  /** Request options for this RP id: only the passkeys of `allow`, or (none given) any discoverable one. */
  private async requestOptions(allow?: sql.PasskeyRecord[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const { generateAuthenticationOptions } = await webauthn();
    return generateAuthenticationOptions({
      rpID: this.rpId,
      timeout: TIMEOUT_MS,
      userVerification: 'preferred',
      allowCredentials: allow?.map((c) => ({ id: c.credentialId, transports: c.transports })),
    });
  }

  /**
   * Verifies an assertion of a stored credential and records its counter. Answers whether the
   * user was verified, or null when refused (wrong signature, origin, RP id or challenge, no user
   * presence, a user handle of someone else, a counter that did not move on).
   */
  private async checkAssertion(
    stored: sql.PasskeyRecord,
    expectedChallenge: string,
    credential: unknown,
    origins: string[],
  ): Promise<boolean | null> {
    const response = asAssertion(credential);
    const handle = (response as { response?: { userHandle?: unknown } }).response?.userHandle;
    if (handle !== undefined && handle !== null && handle !== userHandleB64(stored.userId)) return null;
    let info;
    try {
      const { verifyAuthenticationResponse } = await webauthn();
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge,
        expectedOrigin: origins,
        expectedRPID: this.rpId,
        credential: {
          id: stored.credentialId,
          publicKey: stored.publicKey,
          counter: stored.counter,
          transports: stored.transports,
        },
        requireUserVerification: false,
      });
      if (!verified.verified) return null;
      info = verified.authenticationInfo;
    } catch (err) {
      this.logger.debug(`assertion refused: ${(err as Error).message}`);
      return null;
    }
    if (!(await sql.recordUse(this.db, stored.id, info.newCounter, info.credentialBackedUp))) return null;
    return info.userVerified;
  }

  // ---- second factor -------------------------------------------------------------------------

  async secondFactorOptions(
    userId: string,
    binding: string,
    methodId?: string,
  ): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
    const mine = await sql.credentialsOf(this.db, userId);
    const allow = methodId === undefined ? mine : mine.filter((c) => c.id === methodId);
    if (allow.length === 0) return null;
    const options = await this.requestOptions(allow);
    await sql.saveChallenge(this.db, {
      purpose: 'second-factor',
      challenge: options.challenge,
      stateHash: null,
      userId,
      binding,
      ttlSeconds: CHALLENGE_TTL_S,
    });
    return options;
  }

  /** An assertion as the user's second factor; the caller counts a refusal against the user's budget. */
  async verifySecondFactor(
    userId: string,
    binding: string,
    credential: unknown,
    origins: string[],
    methodId?: string,
  ): Promise<boolean> {
    const answered = challengeOf(credential);
    const id = credentialIdOf(credential);
    if (!answered || !id) return false;
    const challenge = await sql.takeSecondFactorChallenge(this.db, answered, binding, userId);
    if (!challenge) return false;
    const stored = await sql.credentialById(this.db, id);
    if (!stored || stored.userId !== userId) return false;
    if (methodId !== undefined && stored.id !== methodId) return false;
    return (await this.checkAssertion(stored, challenge.challenge, credential, origins)) !== null;
  }

  @Interval('purge-expired-passkey-challenges', PURGE_INTERVAL_MS)
  async purgeExpired(): Promise<number> {
    try {
      return await sql.purgeExpiredChallenges(this.db);
    } catch (err) {
      this.logger.warn(`purge failed: ${(err as Error).message}`);
      return 0;
    }
  }
}
