import type { Response } from 'express';
import type { AuthClient } from '../identity/identity.types.js';
import type { AuthorizationTarget } from './auth-request.js';
import type { PasskeyBlock } from './hosted-passkey.js';
import {
  escapeHtml,
  formActionSource,
  messagePage,
  newNonce,
  originOf,
  renderPage,
  scriptJson,
  sendPage,
} from '../common/http/hosted-page.js';

/**
 * The pages of /oauth2/authorize and /oauth2/logout: the hosted login form and its second-factor
 * step, the web_message page, the logout confirmation. Forms are never framed (API.md section 12);
 * their `form-action` allows our own origin and the place the answer redirects to (an app's
 * private-use scheme included, RFC 8252).
 */
export class AuthorizePages {
  constructor(private readonly publicUrl: string) {}

  private formAction(redirectUri: string | null): string[] {
    return [originOf(this.publicUrl), redirectUri ? formActionSource(redirectUri) : null].filter(
      (s): s is string => s !== null,
    );
  }

  login(
    res: Response,
    status: number,
    client: AuthClient,
    target: AuthorizationTarget,
    token: string,
    error?: string,
    email?: string,
    passkey?: PasskeyBlock,
  ): void {
    const nonce = newNonce();
    const action = `${this.publicUrl}/oauth2/authorize`;
    const body = `<h1>Sign in</h1><p class="sub">to ${escapeHtml(client.name)}</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="redirectSession" value="${escapeHtml(token)}">
<label for="email">Email</label>
<input id="email" name="email" type="text" inputmode="email" autocomplete="username" required maxlength="320" value="${escapeHtml(email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1000">
<button type="submit">Sign in</button>
</form>
${passkey?.html ?? ''}`;
    // Never framed, whatever the response mode (API.md section 12, "Framing"): no clickjacking of the form.
    const html = renderPage({ title: 'Sign in', bodyHtml: body, nonce, script: passkey?.script });
    sendPage(res, status, html, {
      nonce,
      formAction: this.formAction(target.redirectUri),
      script: !!passkey,
    });
  }

  /** The second step of the hosted page: the code of the user's authenticator app (or a recovery code). */
  mfa(
    res: Response,
    status: number,
    client: AuthClient,
    target: AuthorizationTarget,
    token: string,
    step: { mfaToken: string; error?: string },
    passkey?: PasskeyBlock,
  ): void {
    const nonce = newNonce();
    const action = `${this.publicUrl}/oauth2/authorize`;
    const body = `<h1>Two-step verification</h1><p class="sub">for ${escapeHtml(client.name)}</p>
${step.error ? `<p class="error" role="alert">${escapeHtml(step.error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="redirectSession" value="${escapeHtml(token)}">
<input type="hidden" name="mfaToken" value="${escapeHtml(step.mfaToken)}">
<label for="code">Code from your authenticator app, or a recovery code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="100" autofocus>
<button type="submit">Verify</button>
</form>
${passkey?.html ?? ''}`;
    const html = renderPage({
      title: 'Two-step verification',
      bodyHtml: body,
      nonce,
      script: passkey?.script,
    });
    sendPage(res, status, html, {
      nonce,
      formAction: this.formAction(target.redirectUri),
      script: !!passkey,
    });
  }

  /**
   * Posts `{code, state, iss}` (or `{error, state, error_description?, iss}`) to the redirect URI's
   * origin only, never `*`, to the opener (popup) or else the parent (iframe). The only page of
   * ours that may be framed, and only by the client's allowedOrigins.
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
    const { error, ...rest } = params;
    const message =
      error !== undefined
        ? { error, state: target.state, ...rest, iss }
        : { ...params, state: target.state, iss };
    const script =
      `(function(){var m=${scriptJson(message)};var o=${scriptJson(origin)};` +
      `var t=window.opener||(window.parent!==window?window.parent:null);if(t){t.postMessage(m,o);}})();`;
    const body = refusal
      ? `<h1>Sign-in refused</h1><p class="error" role="alert">${escapeHtml(refusal)}</p>`
      : error === 'login_required'
        ? '<h1>Not signed in</h1><p>Sign in from the application first.</p>'
        : error !== undefined
          ? `<h1>Sign-in refused</h1><p class="error" role="alert">${escapeHtml(rest.error_description ?? error)}</p>`
          : '<h1>Signed in</h1><p>You can close this window.</p>';
    sendPage(res, 200, renderPage({ title: 'Sign in', bodyHtml: body, nonce, script }), {
      nonce,
      script: true,
      frameAncestors: client.allowedOrigins,
    });
  }

  /** RP-initiated logout without a valid, unexpired ID token of the client: the user decides. */
  logoutConfirmation(res: Response, clientName: string, token: string, location: string | null): void {
    const nonce = newNonce();
    const action = `${this.publicUrl}/oauth2/logout`;
    const body = `<h1>Sign out?</h1><p class="sub">${escapeHtml(clientName)} asks to sign you out.</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="confirm" value="${escapeHtml(token)}">
<button type="submit">Sign out</button>
</form>
<p>To stay signed in, close this page.</p>`;
    sendPage(res, 200, renderPage({ title: 'Sign out', bodyHtml: body, nonce }), {
      nonce,
      formAction: this.formAction(location),
    });
  }

  signedOut(res: Response): void {
    const nonce = newNonce();
    sendPage(res, 200, messagePage(nonce, 'Signed out', 'You are signed out.', false), { nonce });
  }
}
