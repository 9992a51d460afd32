/**
 * The standard authorization request of `/oauth2/authorize` (RFC 6749 4.1.1 with PKCE, RFC 7636)
 * for a browser app that navigates to the hosted sign-in page and gets the code back on its
 * redirect URI, and the parsing of that callback. Pair with `createPkcePair`, `createState` and
 * `auth.exchangeCode`.
 */
export interface AuthorizeUrlParams {
  /** The service's base URL. */
  baseUrl: string;
  clientId: string;
  /** One of the client's registered redirect URLs. */
  redirectUri: string;
  /** The S256 challenge of the PKCE verifier you keep for `exchangeCode`. */
  codeChallenge: string;
  /** A fresh random value you keep and compare on the callback. */
  state: string;
  /** Default `openid offline_access`. */
  scope?: string;
  nonce?: string;
  /**
   * `none`: answer at once, with a code when the browser still has a signed-in session on the
   * service, else `error=login_required` (OpenID Connect Core 3.1.2.1). A service that does not
   * know `prompt` shows its sign-in page instead, so callers must handle both.
   */
  prompt?: 'none' | 'login';
  /** Default `query`. */
  responseMode?: 'query' | 'fragment' | 'web_message';
  loginHint?: string;
}

export function buildAuthorizeUrl(params: AuthorizeUrlParams): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    code_challenge: params.codeChallenge,
    code_challenge_method: 'S256',
    state: params.state,
    scope: params.scope ?? 'openid offline_access',
  });
  if (params.responseMode) query.set('response_mode', params.responseMode);
  if (params.nonce) query.set('nonce', params.nonce);
  if (params.prompt) query.set('prompt', params.prompt);
  if (params.loginHint) query.set('login_hint', params.loginHint);
  return `${params.baseUrl.replace(/\/+$/, '')}/oauth2/authorize?${query.toString()}`;
}

/** What came back on the redirect URI: a code, or an OAuth error, with the state either way. */
export interface AuthorizeCallback {
  code: string | null;
  state: string | null;
  error: string | null;
  errorDescription: string | null;
}

/** Reads the callback's query (or fragment, for `responseMode: 'fragment'`). */
export function parseAuthorizeCallback(url: string): AuthorizeCallback {
  const parsed = new URL(url);
  const source = parsed.search.length > 1 ? parsed.search : parsed.hash.replace(/^#/, '?');
  const q = new URLSearchParams(source);
  return {
    code: q.get('code'),
    state: q.get('state'),
    error: q.get('error'),
    errorDescription: q.get('error_description'),
  };
}
