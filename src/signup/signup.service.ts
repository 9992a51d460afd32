import { Inject, Injectable } from '@nestjs/common';
import { Db } from '../database/db.js';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AppError, Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { ClientsService } from '../identity/clients.service.js';
import { PasswordHasher } from '../identity/credentials/password-hasher.js';
import { PasswordPolicy } from '../identity/credentials/password-policy.js';
import { UsersService } from '../identity/users.service.js';
import { clientLink } from '../notifications/links.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { RecipientLimiter } from '../notifications/recipient-limiter.js';
import { OneTimeTokensService } from '../tokens/one-time-tokens.service.js';
import { SIGN_UP_PURPOSE, SignUpTokenData, SignUpTokenRecord } from './sign-up-token.guard.js';

/** Sign-up links live 30 minutes (API.md section 0). */
export const SIGN_UP_TOKEN_TTL_S = 30 * 60;
/** `data` kept with a token and stored as the first profile: at most this many characters as JSON. */
export const MAX_SIGN_UP_DATA_CHARS = 10_000;

/** Emitted after a user was created through a sign-up link. */
export const USER_SIGNED_UP = 'signup.user-created';
export interface UserSignedUpEvent {
  userId: string;
  tenantId: string;
  clientId: string;
}

function signUpDisabled(): AppError {
  return new AppError(403, 'SIGN_UP_DISABLED', 'This client does not allow sign-up');
}

function name(data: Record<string, unknown>, key: string): string | null {
  const value = data[key];
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, 200) : null;
}

/**
 * Sign-up by emailed token (API.md section 3): create-token mails a single-use link bound to the
 * client (or, for an address that already has an account, an "already registered" notice, with
 * the same answer); create-user turns a live token into an ACTIVE member of the client's tenant.
 */
@Injectable()
export class SignupService {
  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly policy: PasswordPolicy,
    private readonly hasher: PasswordHasher,
    private readonly tokens: OneTimeTokensService,
    private readonly outbox: OutboxService,
    private readonly recipients: RecipientLimiter,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * Mails a sign-up link, or the "already registered" notice when the address has an account.
   * Both paths do the same work (a token row, an outbox row), so the answer tells nothing.
   */
  async createToken(
    input: { email: string; data?: Record<string, unknown>; client_id: string; client_secret?: string },
    ctx: RequestContext,
  ): Promise<void> {
    const email = input.email.trim();
    const data = input.data ?? {};
    if (JSON.stringify(data).length > MAX_SIGN_UP_DATA_CHARS) {
      throw Errors.validation([
        { field: 'data', message: `data must be at most ${MAX_SIGN_UP_DATA_CHARS} characters as JSON` },
      ]);
    }
    const client = await this.clients.authenticate(input.client_id, input.client_secret, ctx.ip);
    if (!client.allowSignUp) throw signUpDisabled();
    const existing = await this.users.findByLogin(email);
    await this.recipients.hit('email', email, existing);
    const registered = Boolean(existing);

    await this.db.transaction(async (tx) => {
      // An address with an account gets a decoy token nobody ever sees (purged after expiry).
      const { token } = await this.tokens.issueIn(tx, {
        purpose: registered ? `${SIGN_UP_PURPOSE}-decoy` : SIGN_UP_PURPOSE,
        ttlSeconds: SIGN_UP_TOKEN_TTL_S,
        clientId: client.id,
        tenantId: client.tenantId,
        data: { email, data } satisfies SignUpTokenData,
      });
      await this.outbox.enqueue(
        tx,
        registered
          ? { channel: 'email', to: email, template: 'already-registered', data: { appName: client.name } }
          : {
              channel: 'email',
              to: email,
              template: 'sign-up',
              data: {
                link: clientLink(client, 'sign-up', token, this.config.publicUrl),
                expiresInMinutes: String(SIGN_UP_TOKEN_TTL_S / 60),
                appName: client.name,
              },
            },
      );
    });
  }

  /** The email and expiry of a live sign-up token (the guard already checked it). */
  describe(token: SignUpTokenRecord): { email: string; expiry: string } {
    return { email: token.data.email, expiry: token.expiresAt.toISOString() };
  }

  /**
   * Creates the user of a live sign-up token: ACTIVE, email verified, username = email, member of
   * the client's tenant, the token's `data` as first profile. The token is spent in the same
   * transaction; a refused request (mismatch, weak password, taken email) leaves it usable.
   */
  async createUser(
    token: SignUpTokenRecord,
    input: { email: string; password: string },
  ): Promise<{ id: string; email: string }> {
    const email = token.data.email;
    if (input.email.trim().toLowerCase() !== email.toLowerCase()) {
      throw new AppError(400, 'EMAIL_MISMATCH', 'The email is not the one the sign-up link was sent to');
    }
    const client = token.clientId ? await this.clients.findById(token.clientId) : null;
    if (!client) throw Errors.invalidToken();
    if (!client.allowSignUp) throw signUpDisabled();
    await this.policy.assertAcceptable(input.password, { username: email, email });
    const passwordHash = await this.hasher.hash(input.password);
    const data = token.data.data ?? {};

    const user = await this.db
      .transaction(async (tx) => {
        if (!(await this.tokens.consumeByIdIn(tx, token.id))) throw Errors.invalidToken();
        const { user } = await this.users.createUserIn(tx, {
          email,
          username: email,
          passwordHash,
          emailVerified: true,
          tenantId: client.tenantId,
          status: 'ACTIVE',
          firstName: name(data, 'firstName'),
          lastName: name(data, 'lastName'),
          profile: data,
        });
        return user;
      })
      .catch((err: unknown) => {
        // The address (as an email or as someone's username) was taken since the link was sent.
        if (
          err instanceof AppError &&
          (err.code === 'EMAIL_ALREADY_EXISTS' || err.code === 'USERNAME_ALREADY_EXISTS')
        ) {
          throw Errors.conflict('EMAIL_ALREADY_EXISTS', 'An account with that email already exists');
        }
        throw err;
      });
    this.events.emit(USER_SIGNED_UP, {
      userId: user.id,
      tenantId: client.tenantId,
      clientId: client.clientId,
    } satisfies UserSignedUpEvent);
    return { id: user.id, email: user.email ?? email };
  }
}
