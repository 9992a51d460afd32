import { Inject, Injectable } from '@nestjs/common';
import { sha256Hex } from '../common/crypto/tokens.js';
import type { AuthClient } from '../identity/identity.types.js';
import { UsersService } from '../identity/users.service.js';
import { OneTimeTokensService } from '../tokens/one-time-tokens.service.js';
import { PASSKEY_AUTH_METHOD, PASSKEY_FACTOR, PasskeyFactor } from '../tokens/passkeys.js';
import { AuthorizeService, FinalOutcome, HOSTED_MFA_PURPOSE } from './authorize.service.js';
import type { AuthRedirectData, RedirectRecord } from './redirect-sessions.service.js';
import type { HostedLoginForm } from './dto/hosted-forms.dto.js';
import { passkeyBlock } from './templates/passkey-block.template.js';
import type { PasskeyBlock } from './templates/sign-in.template.js';

/** The form fields of a passkey sign-in posted back to /oauth2/authorize. */
export interface PasskeyPost {
  passkeyState: string;
  credential: string;
  mfaToken?: string;
}

/** A hosted sign-in's challenge belongs to the page's redirect session (by its token's hash). */
const bindingOf = (redirectSession: string): string => `hosted:${sha256Hex(redirectSession)}`;

const refused = (message: string): FinalOutcome => ({
  kind: 'refused',
  refusal: { error: 'access_denied', status: 401, message },
});

/**
 * "Sign in with a passkey" on the hosted login page of /oauth2/authorize (API.md section 13). The
 * page carries the request options of a discoverable sign-in bound to its redirect session; its
 * script (allowed by the page's CSP nonce, no inline handlers) calls navigator.credentials.get and
 * posts `credential.toJSON()` back in a form, so the page needs no fetch. A passkey proves both
 * factors; on the second-factor step it must be a passkey of the user whose password matched.
 * The passkeys themselves are the passkeys module's (PasskeyFactor), so oauth2 imports no other
 * feature; the markup is in ./templates/passkey-block.template.ts.
 */
@Injectable()
export class HostedPasskeys {
  constructor(
    @Inject(PASSKEY_FACTOR) private readonly passkeys: PasskeyFactor,
    private readonly authorize: AuthorizeService,
    private readonly oneTime: OneTimeTokensService,
    private readonly users: UsersService,
  ) {}

  /** The passkey fields of a form posted to /oauth2/authorize, or null when it is not a passkey sign-in. */
  static posted(form: HostedLoginForm): PasskeyPost | null {
    const { passkeyState, credential, mfaToken } = form;
    if (!passkeyState || !credential) return null;
    return { passkeyState, credential, mfaToken };
  }

  /** The button, its hidden form and its script, for the page of this redirect session. */
  async block(input: { redirectSession: string; action: string; mfaToken?: string }): Promise<PasskeyBlock> {
    const { stateToken, options } = await this.passkeys.startSignIn(bindingOf(input.redirectSession));
    return passkeyBlock({
      action: input.action,
      redirectSession: input.redirectSession,
      passkeyState: stateToken,
      options,
      mfaToken: input.mfaToken,
    });
  }

  /**
   * A passkey posted by the page: the user whose passkey signed (both factors), checked against
   * the second-factor step's user when it came from that step, then the code (authMethod PASSKEY).
   */
  async complete(
    record: RedirectRecord<AuthRedirectData>,
    client: AuthClient,
    redirectSession: string,
    post: PasskeyPost,
    ip: string,
  ): Promise<FinalOutcome> {
    let credential: unknown;
    try {
      credential = JSON.parse(post.credential);
    } catch {
      return refused('The passkey was not accepted.');
    }
    const step = post.mfaToken
      ? await this.oneTime.peek<{ redirectSessionId: string }>(HOSTED_MFA_PURPOSE, post.mfaToken)
      : null;
    if (post.mfaToken) {
      if (!step?.userId || step.data.redirectSessionId !== record.id || step.clientId !== client.id) {
        return refused('The sign-in expired. Start again.');
      }
    }
    const done = await this.passkeys.finishSignIn(
      post.passkeyState,
      bindingOf(redirectSession),
      credential,
      ip,
    );
    if (!done) return refused('The passkey was not accepted.');
    if (step) {
      // The second step of a password sign-in: the passkey of that user only, and the step is spent.
      if (done.userId !== step.userId || !(await this.oneTime.consumeById(step.id))) {
        return refused('The passkey was not accepted.');
      }
    }
    const user = await this.users.findById(done.userId);
    if (!user) return refused('The passkey was not accepted.');
    return this.authorize.completeProven(record, client, user, PASSKEY_AUTH_METHOD);
  }
}
