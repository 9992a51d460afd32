import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from '../common/http/http.js';
import { randomToken, safeEqual, sha256Hex } from '../common/crypto/tokens.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { PROVIDER_STATE_TTL_S, type ProviderName } from './protocols/provider-strategy.js';

/** The cookie lives as long as the login state it binds. */
export const LOGIN_COOKIE_TTL_S = PROVIDER_STATE_TTL_S;
/** Providers whose callback is a cross-site POST (Apple's form_post, the SAML ACS). */
const CROSS_SITE_POST: ReadonlySet<ProviderName> = new Set(['apple', 'saml']);
const VALUE = /^[A-Za-z0-9_-]{43}$/;

/** The hash of the cookie a callback came with, for the provider the login's state belongs to. */
export type PresentedBinding = (provider: ProviderName) => string | undefined;

/**
 * Binds a social or SAML login's `state` to the browser that started it (API.md section 12), so a
 * callback URL of someone else's login (login CSRF: an attacker's own login finished in the
 * victim's browser) is worthless. The start route sets a random HttpOnly cookie and only its
 * SHA-256 is stored with the state; the callback must bring that cookie.
 *
 * One cookie per provider, reused by later starts of the same browser (parallel logins in two tabs
 * both work). Attributes: HttpOnly, Path=/, Max-Age of a state; Secure (and the `__Host-` prefix,
 * which no subdomain can overwrite) when PUBLIC_URL is https; SameSite=Lax, so the top-level GET
 * back from the provider carries it, and SameSite=None for Apple and SAML, whose callbacks are
 * cross-site POSTs. Browsers drop a SameSite=None cookie that is not Secure, and refuse Secure
 * cookies over plain http (except on localhost, in some browsers only), so with an http PUBLIC_URL
 * (local development) those two use SameSite=Lax as well: their POST then carries the cookie only
 * from an IdP on the same site (e.g. a local Keycloak on localhost); a remote IdP needs PUBLIC_URL
 * on https, which Apple and most IdPs demand of callback URLs anyway.
 */
@Injectable()
export class BrowserBinding {
  private readonly secure: boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.secure = new URL(config.publicUrl).protocol === 'https:';
  }

  cookieName(provider: ProviderName): string {
    return `${this.secure ? '__Host-' : ''}auth-login-${provider}`;
  }

  /**
   * A start route: sets the browser's cookie for `provider` (the one it has, else a new random
   * value) and answers the SHA-256 to keep with the state.
   */
  bind(req: Request, res: Response, provider: ProviderName): string {
    const value = this.cookieValue(req, provider) ?? randomToken();
    const sameSite = this.secure && CROSS_SITE_POST.has(provider) ? 'None' : 'Lax';
    const attributes = [
      `${this.cookieName(provider)}=${value}`,
      'Path=/',
      `Max-Age=${LOGIN_COOKIE_TTL_S}`,
      'HttpOnly',
      `SameSite=${sameSite}`,
      ...(this.secure ? ['Secure'] : []),
    ];
    res.header('Set-Cookie', attributes.join('; '));
    return sha256Hex(value);
  }

  /** Removes what `bind` set on a start that failed (nothing to bind to). */
  unbind(res: Response): void {
    if (!res.sent) res.removeHeader('Set-Cookie');
  }

  /** A callback: the hashes of the cookies it came with, by provider. */
  presented(req: Request): PresentedBinding {
    return (provider) => {
      const value = this.cookieValue(req, provider);
      return value === undefined ? undefined : sha256Hex(value);
    };
  }

  /** Whether the cookie a callback brought is the one its state was bound to (constant time). */
  static matches(stored: unknown, presented: string | undefined): boolean {
    return typeof stored === 'string' && presented !== undefined && safeEqual(stored, presented);
  }

  /** The well-formed value of the provider's cookie in the request, if exactly one is there. */
  private cookieValue(req: Request, provider: ProviderName): string | undefined {
    const header = req.headers.cookie;
    if (typeof header !== 'string') return undefined;
    const name = this.cookieName(provider);
    const values = header
      .split(';')
      .map((part) => part.trim())
      .filter((part) => part.startsWith(`${name}=`))
      .map((part) => part.slice(name.length + 1));
    return values.length === 1 && VALUE.test(values[0]!) ? values[0] : undefined;
  }
}
