import { Inject, Injectable } from '@nestjs/common';
import { sha256Hex } from '../common/crypto/tokens.js';
import type { AuthClient } from '../identity/identity.types.js';
import { UsersService } from '../identity/users.service.js';
import { OneTimeTokensService } from '../tokens/one-time-tokens.service.js';
import { PASSKEY_AUTH_METHOD, PASSKEY_FACTOR, PasskeyFactor } from '../tokens/passkeys.js';
import { AuthorizeService, FinalOutcome, HOSTED_MFA_PURPOSE } from './authorize.service.js';
import { escapeHtml, scriptJson } from '../common/http/hosted-page.js';
import type { AuthRedirectData, RedirectRecord } from './redirect-sessions.service.js';

/** What the hosted page adds for "Sign in with a passkey": markup, and the nonce'd script that runs it. */
export interface PasskeyBlock {
  html: string;
  script: string;
}

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
 * The passkeys themselves are the passkeys module's (PasskeyFactor), so the token engine imports
 * no feature.
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
  static posted(body: Record<string, unknown>): PasskeyPost | null {
    const field = (name: string, max: number) => {
      const v = body[name];
      return typeof v === 'string' && v.length > 0 && v.length <= max && !v.includes('\u0000')
        ? v
        : undefined;
    };
    const passkeyState = field('passkeyState', 512);
    const credential = field('credential', 40_000);
    if (!passkeyState || !credential) return null;
    return { passkeyState, credential, mfaToken: field('mfaToken', 512) };
  }

  /** The button, its hidden form and its script, for the page of this redirect session. */
  async block(input: { redirectSession: string; action: string; mfaToken?: string }): Promise<PasskeyBlock> {
    const { stateToken, options } = await this.passkeys.startSignIn(bindingOf(input.redirectSession));
    const mfa = input.mfaToken
      ? `<input type="hidden" name="mfaToken" value="${escapeHtml(input.mfaToken)}">`
      : '';
    const html = `<form id="passkey-form" method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="redirectSession" value="${escapeHtml(input.redirectSession)}">
<input type="hidden" name="passkeyState" value="${escapeHtml(stateToken)}">${mfa}
<input type="hidden" name="credential" value="">
<button type="button" id="passkey-button" hidden>Sign in with a passkey</button>
<p id="passkey-error" class="error" role="alert" hidden>The passkey sign-in did not finish. Try again.</p>
</form>`;
    const script =
      `(function(){var o=${scriptJson(options)};var P=window.PublicKeyCredential;` +
      `var b=document.getElementById('passkey-button');var f=document.getElementById('passkey-form');` +
      `var e=document.getElementById('passkey-error');` +
      `if(!P||!P.parseRequestOptionsFromJSON||!navigator.credentials){return;}b.hidden=false;` +
      `b.addEventListener('click',function(){b.disabled=true;e.hidden=true;` +
      `navigator.credentials.get({publicKey:P.parseRequestOptionsFromJSON(o)}).then(function(c){` +
      `f.elements.credential.value=JSON.stringify(c.toJSON());f.submit();` +
      `}).catch(function(){b.disabled=false;e.hidden=false;});});})();`;
    return { html, script };
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
