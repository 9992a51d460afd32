/** The client fields that decide where mailed links open (structural, so callers pass an AuthClient). */
export interface LinkTarget {
  resetPasswordUrl: string | null;
  signUpUrl: string | null;
  redirectUrls: string[];
}

/** `base` with `token` set as its query parameter (any existing `token` parameter is replaced). */
export function withToken(base: string, token: string): string {
  try {
    const url = new URL(base);
    url.searchParams.set('token', token);
    return url.toString();
  } catch {
    return `${base}${base.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  }
}

/**
 * The link a mail of API.md section 3 opens: the client's `resetPasswordUrl` / `signUpUrl`, else
 * its first `redirectUrls` entry, else `fallbackBase` (PUBLIC_URL), with `?token=<token>`.
 */
export function clientLink(
  client: LinkTarget,
  kind: 'reset-password' | 'sign-up',
  token: string,
  fallbackBase: string,
): string {
  const page = kind === 'reset-password' ? client.resetPasswordUrl : client.signUpUrl;
  return withToken(page || client.redirectUrls[0] || fallbackBase, token);
}
