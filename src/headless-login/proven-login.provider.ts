import { Injectable } from '@nestjs/common';
import type { AuthClient, User } from '../identity/identity.types.js';
import type { LoginStateAnswer, ProvenLogin } from '../tokens/proven-login.js';
import { HeadlessLoginService } from './headless-login.service.js';

/** The headless login's membership rules as the token engine's ProvenLogin (passkey sign-in). */
@Injectable()
export class HeadlessProvenLogin implements ProvenLogin {
  constructor(private readonly headless: HeadlessLoginService) {}

  answer(user: User, client: AuthClient, authMethod: string): Promise<LoginStateAnswer> {
    return this.headless.provenLogin(user, client, authMethod) as Promise<LoginStateAnswer>;
  }
}
