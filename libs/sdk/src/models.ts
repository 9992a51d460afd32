/** Request and answer shapes of the routes the SDK wraps (API.md sections 2, 7, 8, 9). */

/** `TokenResponse` of API.md section 2 (`/auth/login-token`, `/auth/token`, `/auth/token-refresh`). */
export interface TokenResponse {
  accessToken: string;
  refreshToken: string;
  /** Access-token expiry, epoch milliseconds. */
  expires: number;
}

/** The password grant's answer (`POST /auth/v2/oauth1/tokens`, API.md section 8). */
export interface PasswordGrantResponse {
  /** The session id. */
  id: string;
  accessToken: string;
  refreshToken: string;
  /** Access-token expiry (ISO 8601). */
  expiresAt: string;
  userId: string;
}

/** `POST /oauth2/token` (authorization_code, refresh_token and anonymous grants; API.md section 7). */
export interface OAuthTokenResponse {
  access_token: string;
  refresh_token: string;
  /** Seconds. */
  expires_in: number;
  token_type: 'Bearer';
  /** With the `openid` scope. */
  id_token?: string;
}

export interface MfaMethodSummary {
  id: string;
  /** `totp`, `passkey` or `recoveryCode` (`email`/`sms`: a code was just sent). */
  type: string;
  name: string;
}

/** What a 401 `MFA_REQUIRED` of the password grant carries. */
export interface MfaChallenge {
  token: string;
  methods: MfaMethodSummary[];
}

export interface PasswordCredentials {
  email: string;
  password: string;
}

export interface ConfirmMfaParams {
  /** `mfa.token` of the MfaRequiredError. */
  token: string;
  methodId: string;
  code: string;
}

/** A registered passkey (API.md section 13). */
export interface PasskeyMethod {
  methodId: string;
  type: 'passkey';
  name: string;
}

export interface RegisterPasskeyParams {
  /** Shown in the member's MFA methods (default "Passkey", "Passkey 2", ...). */
  name?: string;
}

export interface SignInWithPasskeyParams {
  /** Only that account's passkeys; without it the browser offers every passkey of the site. */
  email?: string;
}

export interface PasskeyMfaParams {
  /** `mfa.token` of the MfaRequiredError. */
  token: string;
  /** The id of a `passkey` method of the challenge. */
  methodId: string;
}

export type LoginState = 'SUCCESS' | 'REQUIRE_EMAIL_VERIFICATION' | 'REQUIRE_OWNER_APPROVAL';

/** Register, login and verify answers (API.md section 7). */
export interface LoginStateResponse {
  state: LoginState;
  /** With `SUCCESS`: single use, for `createRedirectSession`. */
  sessionToken?: string;
  /** Otherwise: carries the unfinished flow (e.g. to `verify`). */
  stateToken?: string;
  identity: { id: string; email: string; status: string };
}

export type Tag = 'UNTAGGED' | 'MAIN' | 'HOME' | 'WORK';

/** The member profile of API.md section 7 (seed 002). */
export interface MemberProfile {
  firstName?: string;
  lastName?: string;
  nickname?: string;
  picture?: string;
  labels?: string[];
  language?: string;
  privacyStatus?: 'UNDEFINED' | 'PUBLIC' | 'PRIVATE';
  customFields?: Record<string, unknown>;
  secondaryEmails?: { email: string; tag: Tag }[];
  phonesV2?: { countryCode: string; phone: string; tag: Tag }[];
  addresses?: { address: string; tag: Tag }[];
  company?: string;
  position?: string;
  /** `YYYY-MM-DD`. */
  birthdate?: string;
}

export interface RegisterParams {
  email: string;
  password: string;
  profile?: MemberProfile;
  captchaToken?: string;
}

export interface LoginParams {
  email: string;
  password: string;
  captchaToken?: string;
}

export interface VerifyParams {
  code: string;
  stateToken: string;
}

export type ResponseMode = 'web_message' | 'query' | 'fragment';

/** `auth` of `POST /auth/v2/redirect-sessions`; clientId defaults to the client's own. */
export interface RedirectSessionParams {
  clientId?: string;
  codeChallenge: string;
  codeChallengeMethod?: 'S256';
  responseMode: ResponseMode;
  responseType?: 'code';
  /** Default `offline_access`; may add `openid`. */
  scope?: string;
  state: string;
  nonce?: string;
  redirectUri?: string;
  sessionToken?: string;
}

export interface RedirectSessionResponse {
  redirectSession: { id: string; fullUrl: string };
}

export interface ExchangeCodeParams {
  code: string;
  codeVerifier: string;
  redirectUri?: string;
}

export interface RecoveryRedirect {
  url: string;
  clientId: string;
}

/** Member tokens of the headless API (API.md section 9, seed 000). */
export interface MemberAPIToken {
  access_token: string;
  /** ISO 8601. */
  access_token_expires_at: string;
}

export interface MemberAPITokens extends MemberAPIToken {
  refresh_token: string;
  /** ISO 8601. */
  refresh_token_expires_at: string;
  community_member_id: number;
  community_id: number;
}

/** A failed headless revocation (a successful one resolves to `null`). */
export interface RevokeFailure {
  success: false;
  message: string;
}
