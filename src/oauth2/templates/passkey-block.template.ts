import { escapeHtml, scriptJson } from '../../common/http/hosted-page.js';
import type { PasskeyBlock } from './sign-in.template.js';

/** "Sign in with a passkey" for the hosted page of one redirect session. */
export interface PasskeyBlockView {
  /** Where the form posts: /oauth2/authorize. */
  action: string;
  redirectSession: string;
  /** The state token of the discoverable sign-in begun for this page. */
  passkeyState: string;
  /** Its PublicKeyCredentialRequestOptionsJSON. */
  options: unknown;
  /** On the second-factor step: that step's token. */
  mfaToken?: string;
}

/**
 * The button, its hidden form and its script (allowed by the page's CSP nonce, no inline
 * handlers): navigator.credentials.get, then `credential.toJSON()` posted back in the form.
 */
export function passkeyBlock(v: PasskeyBlockView): PasskeyBlock {
  const mfa = v.mfaToken ? `<input type="hidden" name="mfaToken" value="${escapeHtml(v.mfaToken)}">` : '';
  const html = `<form id="passkey-form" method="post" action="${escapeHtml(v.action)}">
<input type="hidden" name="redirectSession" value="${escapeHtml(v.redirectSession)}">
<input type="hidden" name="passkeyState" value="${escapeHtml(v.passkeyState)}">${mfa}
<input type="hidden" name="credential" value="">
<button type="button" id="passkey-button" hidden>Sign in with a passkey</button>
<p id="passkey-error" class="error" role="alert" hidden>The passkey sign-in did not finish. Try again.</p>
</form>`;
  const script =
    `(function(){var o=${scriptJson(v.options)};var P=window.PublicKeyCredential;` +
    `var b=document.getElementById('passkey-button');var f=document.getElementById('passkey-form');` +
    `var e=document.getElementById('passkey-error');` +
    `if(!P||!P.parseRequestOptionsFromJSON||!navigator.credentials){return;}b.hidden=false;` +
    `b.addEventListener('click',function(){b.disabled=true;e.hidden=true;` +
    `navigator.credentials.get({publicKey:P.parseRequestOptionsFromJSON(o)}).then(function(c){` +
    `f.elements.credential.value=JSON.stringify(c.toJSON());f.submit();` +
    `}).catch(function(){b.disabled=false;e.hidden=false;});});})();`;
  return { html, script };
}
