import type { EventEmitter2 } from '@nestjs/event-emitter';
import type { RequestContext } from '../common/http/request-context.js';
import type { Queryable, StatementStep } from '../database/db.js';

export { AUTH_METHODS, type AuthMethod, type LoginType } from '../common/vocabulary.js';
import type { LoginType } from '../common/vocabulary.js';

export interface LoginActivityEntry {
  actor: string;
  tenantId: string;
  loginType: LoginType;
  authMethod: string;
  /** The claims of the access token issued (null on logout). */
  tokenPayload: Record<string, unknown> | null;
  deviceInfo: string | null;
  ipAddress: string | null;
  userAgent: string | null;
}

/** The activity row of a sign-in (ACCESS), refresh (RELOGIN) or sign-out (LOGOUT, no token) of `ctx`. */
export function activityEntry(
  loginType: LoginType,
  actor: string,
  tenantId: string,
  authMethod: string,
  tokenPayload: Record<string, unknown> | null,
  ctx: RequestContext,
): LoginActivityEntry {
  return {
    actor,
    tenantId,
    loginType,
    authMethod,
    tokenPayload,
    deviceInfo: ctx.deviceId,
    ipAddress: ctx.ip,
    userAgent: ctx.userAgent,
  };
}

/**
 * Writes one login-activity row inside the token engine's transaction, so a session never exists
 * without its audit row. Defined here, implemented by the login-activity module.
 */
export interface LoginActivityRecorder {
  record(tx: Queryable, entry: LoginActivityEntry): Promise<void>;
  /**
   * The same row as a step of one of the token engine's statements (a refresh's rotation writes
   * the next token and its audit row in one round trip): written once per row of `source`.
   */
  step(entry: LoginActivityEntry, source: string, firstParam: number): StatementStep;
}

export const LOGIN_ACTIVITY_RECORDER = Symbol('LOGIN_ACTIVITY_RECORDER');

/** Events the token engine emits after commit, for in-process reactions only. */
export const SESSION_STARTED = 'session.started';
export const SESSION_ENDED = 'session.ended';
export interface SessionEvent {
  sessionId: string;
  userId: string;
  tenantId: string;
  clientId: string;
  authMethod: string;
  reason?: string;
}

/** Emits a session event after the current request's work; reactions are in-process and best effort. */
export function emitSessionEvent(events: EventEmitter2, event: string, payload: SessionEvent): void {
  // A listener's failure is its own: it never fails the request that caused the event.
  setImmediate(() => {
    try {
      events.emit(event, payload);
    } catch {
      /* a listener's failure is its own */
    }
  });
}
