import { escapeHtml, renderPage } from '../../common/http/hosted-page.js';

/** What the hosted page adds for "Sign in with a passkey": markup, and the nonce'd script that runs it. */
export interface PasskeyBlock {
  html: string;
  script: string;
}

/** The hosted login form of /oauth2/authorize. */
export interface LoginView {
  nonce: string;
  clientName: string;
  /** Where the form posts: /oauth2/authorize. */
  action: string;
  redirectSession: string;
  error?: string;
  email?: string;
  passkey?: PasskeyBlock;
}

/** The second step of the hosted page: the code of the user's authenticator app (or a recovery code). */
export interface MfaView {
  nonce: string;
  clientName: string;
  action: string;
  redirectSession: string;
  mfaToken: string;
  error?: string;
  passkey?: PasskeyBlock;
}

const alert = (error: string | undefined): string =>
  error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';

export function loginPage(v: LoginView): string {
  const body = `<h1>Sign in</h1><p class="sub">to ${escapeHtml(v.clientName)}</p>
${alert(v.error)}
<form method="post" action="${escapeHtml(v.action)}">
<input type="hidden" name="redirectSession" value="${escapeHtml(v.redirectSession)}">
<label for="email">Email</label>
<input id="email" name="email" type="text" inputmode="email" autocomplete="username" required maxlength="320" value="${escapeHtml(v.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1000">
<button type="submit">Sign in</button>
</form>
${v.passkey?.html ?? ''}`;
  return renderPage({ title: 'Sign in', bodyHtml: body, nonce: v.nonce, script: v.passkey?.script });
}

export function mfaPage(v: MfaView): string {
  const body = `<h1>Two-step verification</h1><p class="sub">for ${escapeHtml(v.clientName)}</p>
${alert(v.error)}
<form method="post" action="${escapeHtml(v.action)}">
<input type="hidden" name="redirectSession" value="${escapeHtml(v.redirectSession)}">
<input type="hidden" name="mfaToken" value="${escapeHtml(v.mfaToken)}">
<label for="code">Code from your authenticator app, or a recovery code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="100" autofocus>
<button type="submit">Verify</button>
</form>
${v.passkey?.html ?? ''}`;
  return renderPage({
    title: 'Two-step verification',
    bodyHtml: body,
    nonce: v.nonce,
    script: v.passkey?.script,
  });
}
