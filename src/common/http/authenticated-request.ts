import type { Request } from './http.js';

/** The verified access-token claims the JWT guard attaches to a request. */
export interface AuthClaims {
  sub: string;
  tid: string;
  cid: string;
  sid: string;
  jti: string;
  exp: number;
  iat: number;
  permissions: string[];
  typ?: string;
  [claim: string]: unknown;
}

export interface AuthenticatedRequest extends Request {
  auth?: AuthClaims;
}
