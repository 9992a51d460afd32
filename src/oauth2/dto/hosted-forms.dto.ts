import { FormField } from '../../common/http/form-fields.js';

/**
 * The hosted login form posted to /oauth2/authorize: `email` and `password`; then, when a second
 * factor is due, `mfaToken` and `code`; or a passkey sign-in (`passkeyState`, `credential`, and
 * `mfaToken` on the second-factor step). Always with the page's `redirectSession`.
 */
export class HostedLoginForm {
  @FormField(512)
  redirectSession?: string;

  @FormField(320)
  email?: string;

  @FormField(1000)
  password?: string;

  @FormField(512)
  mfaToken?: string;

  @FormField(100)
  code?: string;

  @FormField(512)
  passkeyState?: string;

  /** `credential.toJSON()` of navigator.credentials.get, as JSON text. */
  @FormField(40_000)
  credential?: string;
}

/** The "Sign out" button of the logout confirmation page (POST /oauth2/logout). */
export class LogoutConfirmationForm {
  @FormField(100)
  confirm?: string;
}
