import { Injectable } from '@nestjs/common';
import { AppError, Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { ClientsService } from '../identity/clients.service.js';
import { AccessTokensService } from '../tokens/access-tokens.service.js';
import { OneTimeTokensService } from '../tokens/one-time-tokens.service.js';
import { SessionsService } from '../tokens/sessions.service.js';
import { invalidRedirectUri } from './auth-request.js';
import { invalidRedirectSession, RedirectSessionsService } from './redirect-sessions.service.js';

const invalidRequest = (message: string) => new AppError(400, 'INVALID_REQUEST', message);

const LOGOUT_CONFIRM_PURPOSE = 'logout-confirm';
/** Time to press "Sign out" on the confirmation page. */
const LOGOUT_CONFIRM_TTL_S = 600;

interface PendingLogout {
  /** The session of the hint (ended with the browser's hosted session), if there was a hint. */
  sid?: string;
  /** The user of the hint: only their hosted session ends. */
  sub?: string;
  location: string | null;
}

/** What a logout did: where the browser goes, and whose hosted session ends (any when undefined). */
export interface LogoutDone {
  kind: 'done';
  location: string | null;
  userId?: string;
}

export type LogoutDecision =
  | LogoutDone
  /** The user must confirm: the page posts `token` back (with the matching cookie). */
  | { kind: 'confirm'; token: string; clientName: string; location: string | null };

/**
 * `GET /oauth2/logout`: the logout redirect session of API.md section 7, or the OpenID Connect
 * RP-initiated logout query (`id_token_hint`, `post_logout_redirect_uri`, `client_id`, `state`) for
 * standard clients. The session ends on every instance and the browser goes only to a URL
 * registered for the client. An RP-initiated logout ends things at once only with a valid,
 * unexpired ID token of that client; otherwise (an expired hint, or only `client_id`) the user
 * confirms on a small page first, so a cross-site link cannot sign anyone out.
 */
@Injectable()
export class LogoutService {
  constructor(
    private readonly redirectSessions: RedirectSessionsService,
    private readonly sessions: SessionsService,
    private readonly clients: ClientsService,
    private readonly accessTokens: AccessTokensService,
    private readonly oneTime: OneTimeTokensService,
  ) {}

  /** Ends the session of a logout redirect session; answers the postFlowUrl. */
  async byRedirectSession(token: unknown, ctx: RequestContext): Promise<LogoutDone> {
    const { record, client } = await this.redirectSessions.find(token, 'logout');
    const data = record.data;
    if (!client.redirectUrls.includes(data.postFlowUrl)) {
      throw invalidRedirectUri("postFlowUrl is no longer one of the client's registered redirect URLs");
    }
    if (!(await this.redirectSessions.spend(record.id))) throw invalidRedirectSession();
    await this.sessions.end(data.sid, {
      reason: 'logout',
      ctx,
      accessToken: { jti: data.jti, exp: data.exp },
    });
    return { kind: 'done', location: data.postFlowUrl, userId: record.userId ?? undefined };
  }

  /** RP-initiated logout: done at once, or a confirmation to ask for. */
  async byIdTokenHint(query: Record<string, unknown>, ctx: RequestContext): Promise<LogoutDecision> {
    // Client ids have at most 200 characters (as on every other route); the rest may be long.
    const str = (name: string, max = name === 'client_id' ? 200 : 8192): string | undefined => {
      const v = query[name];
      if (v === undefined || v === '') return undefined;
      if (typeof v !== 'string' || v.length > max || v.includes('\u0000')) {
        throw invalidRequest(`${name} must appear once, at most ${max} characters, without NUL characters`);
      }
      return v;
    };
    const hintToken = str('id_token_hint');
    if (!hintToken && !str('client_id')) {
      throw invalidRequest(
        'Open the logout fullUrl of a redirect session, or send id_token_hint or client_id',
      );
    }
    // Only an ID token this service issued (API.md section 12); an access token is refused.
    const hint = hintToken ? await this.accessTokens.readIdToken(hintToken) : null;
    if (hintToken && !hint) throw invalidRequest('id_token_hint is not an id_token of this service');
    const clientId = str('client_id') ?? hint!.aud;
    if (hint && clientId !== hint.aud) throw invalidRequest('client_id is not the audience of id_token_hint');
    const client = await this.clients.findByClientId(clientId);
    if (!client) throw Errors.invalidClient();
    const target = str('post_logout_redirect_uri');
    if (target !== undefined && !client.redirectUrls.includes(target)) {
      throw invalidRedirectUri(
        "post_logout_redirect_uri is not one of the client's registered redirect URLs",
      );
    }
    let location: string | null = null;
    if (target !== undefined) {
      const url = new URL(target);
      const state = str('state');
      if (state !== undefined) url.searchParams.set('state', state);
      location = url.toString();
    }
    if (hint && hint.exp * 1000 > Date.now()) {
      if (hint.sid) await this.sessions.end(hint.sid, { reason: 'logout', ctx });
      return { kind: 'done', location, userId: hint.sub };
    }
    const pending: PendingLogout = { sid: hint?.sid, sub: hint?.sub, location };
    const { token } = await this.oneTime.issue({
      purpose: LOGOUT_CONFIRM_PURPOSE,
      ttlSeconds: LOGOUT_CONFIRM_TTL_S,
      clientId: client.id,
      data: { ...pending },
    });
    return { kind: 'confirm', token, clientName: client.name, location };
  }

  /** The user pressed "Sign out" on the confirmation page. */
  async confirm(token: string, ctx: RequestContext): Promise<LogoutDone> {
    const pending = await this.oneTime.consume<PendingLogout>(LOGOUT_CONFIRM_PURPOSE, token);
    if (!pending) throw invalidRequest('The sign-out request expired; start again from the application');
    if (pending.data.sid) await this.sessions.end(pending.data.sid, { reason: 'logout', ctx });
    return { kind: 'done', location: pending.data.location, userId: pending.data.sub };
  }
}
