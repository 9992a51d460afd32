import { escapeHtml, renderPage, scriptJson } from '../../common/http/hosted-page.js';

/** The web_message page: what it posts, to whom, and what it shows. */
export interface WebMessageView {
  nonce: string;
  /** The redirect URI's origin: the only one the message is posted to. */
  origin: string;
  state: string | null;
  iss: string;
  /** `{code}` or `{error, error_description?}`. */
  params: Record<string, string>;
  /** The refusal shown on the page (a refused sign-in). */
  refusal?: string;
}

/**
 * Posts `{code, state, iss}` (or `{error, state, error_description?, iss}`) to the redirect URI's
 * origin only, never `*`, to the opener (popup) or else the parent (iframe).
 */
export function webMessagePage(v: WebMessageView): string {
  const { error, ...rest } = v.params;
  const message =
    error !== undefined
      ? { error, state: v.state, ...rest, iss: v.iss }
      : { ...v.params, state: v.state, iss: v.iss };
  const script =
    `(function(){var m=${scriptJson(message)};var o=${scriptJson(v.origin)};` +
    `var t=window.opener||(window.parent!==window?window.parent:null);if(t){t.postMessage(m,o);}})();`;
  const body = v.refusal
    ? `<h1>Sign-in refused</h1><p class="error" role="alert">${escapeHtml(v.refusal)}</p>`
    : error === 'login_required'
      ? '<h1>Not signed in</h1><p>Sign in from the application first.</p>'
      : error !== undefined
        ? `<h1>Sign-in refused</h1><p class="error" role="alert">${escapeHtml(rest.error_description ?? error)}</p>`
        : '<h1>Signed in</h1><p>You can close this window.</p>';
  return renderPage({ title: 'Sign in', bodyHtml: body, nonce: v.nonce, script });
}
