import { Inject, Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import type { RequestContext } from '../common/http/request-context.js';
import { ClientsService } from '../identity/clients.service.js';
import type { AuthClient, User } from '../identity/identity.types.js';
import { UsersService } from '../identity/users.service.js';
import { PASSKEY_AUTH_METHOD } from '../tokens/passkeys.js';
import { LoginStateAnswer, PROVEN_LOGIN, ProvenLogin } from '../tokens/proven-login.js';
import { PasskeyMethodAnswer, PasskeysService } from './passkeys.service.js';

/**
 * The routes of API.md section 13 over PasskeysService: a member registers a passkey with the
 * client of their access token; a visitor of a client signs in with one, and the headless login
 * (through ProvenLogin) applies the membership rules of section 7 and issues the sessionToken.
 */
@Injectable()
export class PasskeyFlowsService {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    @Inject(PROVEN_LOGIN) private readonly provenLogin: ProvenLogin,
  ) {}

  private async clientOf(auth: AuthClaims): Promise<AuthClient> {
    const client = await this.clients.findByClientId(auth.cid);
    if (!client) throw Errors.invalidClient();
    return client;
  }

  private async memberOf(auth: AuthClaims): Promise<{ user: User; client: AuthClient }> {
    const [user, client] = await Promise.all([this.users.findById(auth.sub), this.clientOf(auth)]);
    if (!user) throw Errors.unauthorized('The user no longer exists');
    return { user, client };
  }

  async registrationOptions(auth: AuthClaims, name: string | undefined) {
    const { user, client } = await this.memberOf(auth);
    return this.passkeys.registrationOptions(user, client, name);
  }

  async register(
    auth: AuthClaims,
    input: { stateToken: string; credential: unknown },
    ctx: RequestContext,
  ): Promise<PasskeyMethodAnswer> {
    const { user, client } = await this.memberOf(auth);
    return this.passkeys.register(user, client, input.stateToken, input.credential, ctx);
  }

  async signInOptions(auth: AuthClaims, email: string | undefined) {
    const client = await this.clientOf(auth);
    return this.passkeys.startSignIn(`client:${client.id}`, email);
  }

  /** A passkey proves both factors: no MFA step follows (API.md section 13). */
  async signIn(
    auth: AuthClaims,
    input: { stateToken: string; credential: unknown },
    ctx: RequestContext,
  ): Promise<LoginStateAnswer> {
    const client = await this.clientOf(auth);
    const done = await this.passkeys.finishSignIn(
      input.stateToken,
      `client:${client.id}`,
      input.credential,
      this.passkeys.origins(client),
      ctx.ip,
    );
    if (!done) throw Errors.invalidPasskey();
    return this.provenLogin.answer(done.user, client, PASSKEY_AUTH_METHOD);
  }
}
