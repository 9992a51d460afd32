import { ApiError, AuthClient } from '@auth-bff/sdk';

/** The documented routes the console uses (API.md sections 1, 6 and 14), through the SDK's `raw`. */

export interface Membership {
  id: string;
  tenantId: string;
  memberId: number;
  role: string | null;
  status: string;
}
/** A user's text fields that may be empty (null), as GET /admin/users shows them. */
type UserTexts = Record<'email' | 'username' | 'firstName' | 'lastName' | 'phone', string | null>;
export interface User extends UserTexts {
  id: string;
  emailVerified: boolean;
  mfaEnabled: boolean;
  createdAt: string;
  memberships: Membership[];
}
/** A client's switches, as GET /admin/clients shows them. */
type ClientFlags = Record<
  | 'mfaRequired'
  | 'public'
  | 'allowSignUp'
  | 'requireOwnerApproval'
  | 'requireEmailVerification'
  | 'captchaRequired',
  boolean
>;
export interface Client extends ClientFlags {
  id: string;
  clientId: string;
  name: string;
  tenantId: string;
  redirectUrls: string[];
  allowedOrigins: string[];
  accessTokenExpiration: number | null;
  refreshTokenExpiration: number | null;
  resetPasswordUrl: string | null;
  signUpUrl: string | null;
  createdAt: string;
}
export interface Role {
  id: string;
  tenantId: string;
  name: string;
  permissions: string[];
  createdAt: string;
}
export interface HeadlessToken {
  id: string;
  name: string;
  tenantId: string;
  clientId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}
export interface LoginActivity {
  id: string;
  actor: string;
  tenantId: string;
  loginTime: string;
  loginType: string;
  authMethod: string;
  deviceInfo: string | null;
  ipAddress: string | null;
}
export type ActiveUsersReport = Record<string, Record<string, LoginActivity[]>>;
export type FailuresReport = Record<string, Record<string, number>>;
export type Range = 'daily' | 'weekly' | 'monthly';

export { AUTH_METHODS, LOGIN_TYPES, MEMBERSHIP_STATUSES as STATUSES } from '../../common/vocabulary.ts';

const q = (value: unknown) => JSON.stringify(value);

/** Dispatched on window when the API refuses the session (401): the console signs in again. */
export const SESSION_ENDED = 'console:session-ended';

export class Api {
  constructor(
    private readonly sdk: AuthClient,
    readonly tenantId: string,
  ) {}

  /**
   * The SDK's `raw`, watched: a 401 that survives the SDK's own refresh, or a refresh the service
   * refused, means the session is over (expired, revoked, signed out elsewhere): sign in again.
   */
  private get raw() {
    const raw = this.sdk.raw;
    const watch =
      <A extends unknown[], T>(call: (...args: A) => Promise<T>) =>
      (...args: A) =>
        call(...args).catch(async (err: unknown) => {
          // A refused refresh (400 invalid_grant at /oauth2/token) leaves the SDK without tokens.
          const ended =
            err instanceof ApiError && (err.statusCode === 401 || !(await this.sdk.auth.getTokens()));
          if (ended) window.dispatchEvent(new Event(SESSION_ENDED));
          throw err;
        });
    return {
      get: watch(raw.get),
      post: watch(raw.post),
      patch: watch(raw.patch),
      delete: watch(raw.delete),
    } as typeof raw;
  }

  // ---- users
  users(search: string, offset = 0, limit = 50): Promise<User[]> {
    return this.raw.get('/admin/users', {
      query: { tenantId: this.tenantId, search: search || undefined, limit, offset },
    });
  }
  user(id: string): Promise<User> {
    return this.raw.get(`/admin/users/${encodeURIComponent(id)}`);
  }
  createUser(body: Record<string, unknown>): Promise<{ id: string }> {
    return this.raw.post('/admin/users', { ...body, tenantId: this.tenantId });
  }
  updateUser(id: string, body: Record<string, unknown>): Promise<User> {
    return this.raw.patch(`/admin/users/${encodeURIComponent(id)}`, { ...body, tenantId: this.tenantId });
  }
  revokeSessions(id: string): Promise<void> {
    return this.raw.delete(`/admin/users/${encodeURIComponent(id)}/sessions`);
  }
  resetMfa(id: string): Promise<void> {
    return this.raw.delete(`/admin/users/${encodeURIComponent(id)}/mfa`);
  }
  approve(id: string): Promise<void> {
    return this.raw.post(`/admin/members/${encodeURIComponent(id)}/approve`, undefined, {
      query: { tenantId: this.tenantId },
    });
  }

  // ---- clients
  clients(): Promise<Client[]> {
    return this.raw.get('/admin/clients', { query: { tenantId: this.tenantId } });
  }
  getClient(id: string): Promise<Client> {
    return this.raw.get(`/admin/clients/${encodeURIComponent(id)}`);
  }
  createClient(body: Record<string, unknown>): Promise<Client & { clientSecret: string | null }> {
    return this.raw.post('/admin/clients', { ...body, tenantId: this.tenantId });
  }
  updateClient(id: string, body: Record<string, unknown>): Promise<Client> {
    return this.raw.patch(`/admin/clients/${encodeURIComponent(id)}`, body);
  }
  rotateSecret(id: string): Promise<Client & { clientSecret: string }> {
    return this.raw.post(`/admin/clients/${encodeURIComponent(id)}/secret`, {});
  }
  deleteClient(id: string): Promise<void> {
    return this.raw.delete(`/admin/clients/${encodeURIComponent(id)}`);
  }

  // ---- roles
  roles(): Promise<Role[]> {
    return this.raw.get('/admin/roles', { query: { tenantId: this.tenantId } });
  }
  createRole(body: { name: string; permissions: string[] }): Promise<Role> {
    return this.raw.post('/admin/roles', { ...body, tenantId: this.tenantId });
  }
  updateRole(id: string, body: { name?: string; permissions?: string[] }): Promise<Role> {
    return this.raw.patch(`/admin/roles/${encodeURIComponent(id)}`, body);
  }

  // ---- headless tokens
  headlessTokens(): Promise<HeadlessToken[]> {
    return this.raw.get('/admin/headless-tokens', { query: { tenantId: this.tenantId } });
  }
  createHeadlessToken(name: string): Promise<HeadlessToken & { token: string }> {
    return this.raw.post('/admin/headless-tokens', { tenantId: this.tenantId, name });
  }
  revokeHeadlessToken(id: string): Promise<void> {
    return this.raw.delete(`/admin/headless-tokens/${encodeURIComponent(id)}`);
  }

  // ---- reports (ViewLoginActivity)
  activeUsers(range: Range, startDate: Date, endDate: Date): Promise<ActiveUsersReport> {
    return this.raw.get(`/active-users/${range}`, {
      query: { startDate: startDate.toISOString(), endDate: endDate.toISOString() },
    });
  }
  failures(range: Range, startDate: Date, endDate: Date): Promise<FailuresReport> {
    return this.raw.get(`/login-failures/${range}`, {
      query: { startDate: startDate.toISOString(), endDate: endDate.toISOString() },
    });
  }
  async countLogins(where: Record<string, unknown>): Promise<number> {
    const { count } = await this.raw.get<{ count: number }>('/login-activity/count', {
      query: { where: q(where) },
    });
    return count;
  }
  loginActivity(filter: Record<string, unknown>): Promise<LoginActivity[]> {
    return this.raw.get('/login-activity', { query: { filter: q(filter) } });
  }
}

/** A message for a failed call; 403 answers become the "permission needed" page instead. */
export function describe(err: unknown): string {
  if (err instanceof ApiError) {
    const details = (err.response as { details?: { field: string; message: string }[] } | undefined)?.details;
    if (details?.length) return details.map((d) => d.message).join('; ');
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export const isForbidden = (err: unknown) => err instanceof ApiError && err.statusCode === 403;
