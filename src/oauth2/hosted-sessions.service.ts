import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from '../common/http/http.js';
import { randomToken, sha256 } from '../common/crypto/tokens.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Db } from '../database/db.js';
import {
  deleteHostedSession,
  findHostedSession,
  HostedSessionRow,
  insertHostedSession,
} from '../tokens/hosted-session.queries.js';

/** The cookie of the signed-in browser at the authorization server (path /oauth2 only). */
export const HOSTED_SESSION_COOKIE = 'oauth2_session';
/** A hosted session lasts this long from the sign-in (absolute, not sliding): 24 hours. */
export const HOSTED_SESSION_TTL_S = 24 * 3600;

/** A signed-in browser at the authorization server. */
export interface HostedSession {
  userId: string;
  tenantId: string;
  /** How the user signed in (PASSWORD, TOTP, RECOVERY_CODE, or the method of a headless login). */
  authMethod: string;
  /** The real sign-in (the ID token's `auth_time`). */
  authTime: Date;
  /** Whether a second factor was proven in this sign-in. */
  mfa: boolean;
}

/** A sign-in that just happened, for which the browser gets a hosted session. */
export type SignIn = HostedSession;

function toSession(row: HostedSessionRow): HostedSession {
  return {
    userId: row.user_id,
    tenantId: row.tenant_id,
    authMethod: row.auth_method,
    authTime: row.auth_time,
    mfa: row.mfa_at !== null,
  };
}

/** The value of one cookie of the request (no cookie parser is installed: the header is read here). */
function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * The hosted session (API.md section 7, OpenID Connect conformance): after a sign-in on the
 * hosted page (or a redirect session bound by a sessionToken) the browser gets a cookie
 * (`oauth2_session`: HttpOnly, SameSite=Lax, path /oauth2, Secure when PUBLIC_URL is https) whose
 * value is a random token; Postgres keeps only its SHA-256 with the user, tenant, sign-in time and
 * method, and whether a second factor was proven. It lets a later /oauth2/authorize of the same
 * browser answer without the form (and `prompt=none` at all). It ends at /oauth2/logout, when all
 * of the user's sessions end, and 24 hours after the sign-in.
 */
@Injectable()
export class HostedSessionsService {
  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The live hosted session of the request's cookie, if any. */
  async current(req: Request): Promise<HostedSession | null> {
    const token = cookieValue(req, HOSTED_SESSION_COOKIE);
    if (!token) return null;
    const row = await findHostedSession(this.db, sha256(token));
    return row ? toSession(row) : null;
  }

  /** Starts a hosted session for a sign-in, replacing the browser's previous one; sets the cookie. */
  async begin(req: Request, res: Response, signIn: SignIn): Promise<void> {
    const previous = cookieValue(req, HOSTED_SESSION_COOKIE);
    const token = randomToken();
    const expiresAt = new Date(signIn.authTime.getTime() + HOSTED_SESSION_TTL_S * 1000);
    await this.db.transaction(async (tx) => {
      if (previous) await deleteHostedSession(tx, sha256(previous));
      await insertHostedSession(tx, {
        tokenHash: sha256(token),
        userId: signIn.userId,
        tenantId: signIn.tenantId,
        authMethod: signIn.authMethod,
        authTime: signIn.authTime,
        mfaAt: signIn.mfa ? new Date() : null,
        expiresAt,
      });
    });
    const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
    this.setCookie(res, token, maxAge);
  }

  /**
   * Ends the browser's hosted session (only when it is `userId`'s, if given: a logout for one user
   * does not sign another out) and clears the cookie.
   */
  async end(req: Request, res: Response, userId?: string): Promise<void> {
    const token = cookieValue(req, HOSTED_SESSION_COOKIE);
    if (!token) return;
    if (userId !== undefined) {
      const row = await findHostedSession(this.db, sha256(token));
      if (row && row.user_id !== userId) return;
    }
    await deleteHostedSession(this.db, sha256(token));
    this.setCookie(res, '', 0);
  }

  private setCookie(res: Response, value: string, maxAge: number): void {
    const attributes = [
      `${HOSTED_SESSION_COOKIE}=${value}`,
      'Path=/oauth2',
      `Max-Age=${maxAge}`,
      'HttpOnly',
      'SameSite=Lax',
    ];
    if (this.config.publicUrl.startsWith('https:')) attributes.push('Secure');
    res.header('Set-Cookie', attributes.join('; '));
  }
}
