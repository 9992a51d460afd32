import type { Response } from '../common/http/http.js';
import type { AuthClient } from '../identity/identity.types.js';
import type { AuthorizationTarget } from './auth-request.js';
import { formActionSource, newNonce, originOf, sendPage } from '../common/http/hosted-page.js';
import { logoutConfirmationPage, signedOutPage } from './templates/logout.template.js';
import { LoginView, loginPage, mfaPage, MfaView } from './templates/sign-in.template.js';
import { webMessagePage } from './templates/web-message.template.js';

/** A form page's view as the controller knows it: the page picks its nonce and form action. */
type PageView<V> = Omit<V, 'nonce' | 'action'>;

/**
 * Sends the pages of /oauth2/authorize and /oauth2/logout (the HTML is in ./templates): the
 * hosted login form and its second-factor step, the web_message page, the logout confirmation,
 * each with its Content-Security-Policy. Forms are never framed (API.md section 12); their
 * `form-action` allows our own origin and the place the answer redirects to (an app's
 * private-use scheme included, RFC 8252).
 */
export class AuthorizePages {
  constructor(private readonly publicUrl: string) {}

  private formAction(redirectUri: string | null): string[] {
    return [originOf(this.publicUrl), redirectUri ? formActionSource(redirectUri) : null].filter(
      (s): s is string => s !== null,
    );
  }

  /** Never framed, whatever the response mode (API.md section 12, "Framing"): no clickjacking of a form. */
  private sendForm(
    res: Response,
    status: number,
    html: string,
    nonce: string,
    target: AuthorizationTarget,
    script: boolean,
  ) {
    sendPage(res, status, html, { nonce, formAction: this.formAction(target.redirectUri), script });
  }

  /** The hosted login form. */
  login(res: Response, status: number, target: AuthorizationTarget, view: PageView<LoginView>): void {
    const nonce = newNonce();
    const html = loginPage({ ...view, nonce, action: `${this.publicUrl}/oauth2/authorize` });
    this.sendForm(res, status, html, nonce, target, !!view.passkey);
  }

  /** The second step of the hosted page: the code of the user's authenticator app (or a recovery code). */
  mfa(res: Response, status: number, target: AuthorizationTarget, view: PageView<MfaView>): void {
    const nonce = newNonce();
    const html = mfaPage({ ...view, nonce, action: `${this.publicUrl}/oauth2/authorize` });
    this.sendForm(res, status, html, nonce, target, !!view.passkey);
  }

  /**
   * The web_message page: the only page of ours that may be framed, and only by the client's
   * allowedOrigins.
   */
  webMessage(
    res: Response,
    client: AuthClient,
    target: AuthorizationTarget,
    params: Record<string, string>,
    iss: string,
    refusal?: string,
  ): void {
    const nonce = newNonce();
    const origin = originOf(target.redirectUri)!;
    const html = webMessagePage({ nonce, origin, state: target.state, iss, params, refusal });
    sendPage(res, 200, html, { nonce, script: true, frameAncestors: client.allowedOrigins });
  }

  /** RP-initiated logout without a valid, unexpired ID token of the client: the user decides. */
  logoutConfirmation(res: Response, clientName: string, token: string, location: string | null): void {
    const nonce = newNonce();
    const action = `${this.publicUrl}/oauth2/logout`;
    const html = logoutConfirmationPage({ nonce, clientName, action, confirm: token });
    sendPage(res, 200, html, { nonce, formAction: this.formAction(location) });
  }

  signedOut(res: Response): void {
    const nonce = newNonce();
    sendPage(res, 200, signedOutPage({ nonce }), { nonce });
  }
}
