import { escapeHtml, messagePage, renderPage } from '../../common/http/hosted-page.js';

/** RP-initiated logout without a valid, unexpired ID token of the client: the user decides. */
export interface LogoutConfirmationView {
  nonce: string;
  clientName: string;
  /** Where the form posts: /oauth2/logout. */
  action: string;
  /** The confirmation token the form posts back as `confirm`. */
  confirm: string;
}

export function logoutConfirmationPage(v: LogoutConfirmationView): string {
  const body = `<h1>Sign out?</h1><p class="sub">${escapeHtml(v.clientName)} asks to sign you out.</p>
<form method="post" action="${escapeHtml(v.action)}">
<input type="hidden" name="confirm" value="${escapeHtml(v.confirm)}">
<button type="submit">Sign out</button>
</form>
<p>To stay signed in, close this page.</p>`;
  return renderPage({ title: 'Sign out', bodyHtml: body, nonce: v.nonce });
}

export function signedOutPage(v: { nonce: string }): string {
  return messagePage(v.nonce, 'Signed out', 'You are signed out.', false);
}
