import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Errors } from '../common/errors/app-error.js';
import { SigningKeysService } from './keys/signing-keys.service.js';
import { decodeJwt, signJwt, verifySignature } from './keys/jwt.js';
import { RevocationService } from './revocation.service.js';

/** The claims of every access token (API.md section 0). */
export interface AccessClaims {
  iss: string;
  sub: string;
  aud: string;
  /** Active tenant id. */
  tid: string;
  /** Public client id. */
  cid: string;
  /** Session (refresh-token family) id. */
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  permissions: string[];
  /** `visitor` for anonymous visitor tokens; absent for members. */
  typ?: string;
  [claim: string]: unknown;
}

export interface SignedAccessToken {
  token: string;
  claims: AccessClaims;
  expiresAt: Date;
}

/**
 * Whether a JWT (header and payload, signature checked elsewhere) has the shape `signIdToken`
 * gives an id_token and no access token can have: `azp` equal to `aud`, an `auth_time`, and none
 * of the access-token claims (`jti`, `cid`, `tid`, `permissions`, `typ`) nor an `at+jwt` header.
 */
export function isIdTokenShape(header: { typ?: unknown }, payload: Record<string, unknown>): boolean {
  const accessClaims = ['jti', 'cid', 'tid', 'permissions', 'typ'];
  return (
    typeof payload.aud === 'string' &&
    payload.azp === payload.aud &&
    typeof payload.auth_time === 'number' &&
    accessClaims.every((claim) => payload[claim] === undefined) &&
    typeof header.typ === 'string' &&
    header.typ.toLowerCase() !== 'at+jwt'
  );
}

/** Signs and verifies access tokens. No other code signs a JWT for a session. */
@Injectable()
export class AccessTokensService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: SigningKeysService,
    private readonly revocations: RevocationService,
  ) {}

  sign(
    input: {
      sub: string;
      tid: string;
      cid: string;
      sid: string;
      permissions: string[];
      extra?: Record<string, unknown>;
    },
    ttlSeconds: number,
  ): SignedAccessToken {
    const iat = Math.floor(Date.now() / 1000);
    const claims: AccessClaims = {
      ...input.extra,
      iss: this.config.jwtIssuer,
      sub: input.sub,
      aud: input.cid,
      tid: input.tid,
      cid: input.cid,
      sid: input.sid,
      jti: randomUUID(),
      iat,
      exp: iat + ttlSeconds,
      permissions: input.permissions,
    };
    return {
      token: signJwt(claims, this.keys.currentSigner()),
      claims,
      expiresAt: new Date(claims.exp * 1000),
    };
  }

  /**
   * Signs an OpenID Connect id_token with the service keys (the `openid` scope on /oauth2/token).
   * It deliberately has no `jti`, so `verify` below never accepts an id_token as an access token;
   * `isIdTokenShape` tells it from an access token (RP-initiated logout accepts only id_tokens).
   */
  signIdToken(
    input: {
      sub: string;
      /** The public client id (`aud` and `azp`). */
      aud: string;
      sid?: string;
      nonce?: string | null;
      authTime?: number;
      claims?: Record<string, unknown>;
    },
    ttlSeconds: number,
  ): string {
    const iat = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      ...input.claims,
      iss: this.config.jwtIssuer,
      sub: input.sub,
      aud: input.aud,
      azp: input.aud,
      iat,
      exp: iat + ttlSeconds,
      auth_time: input.authTime ?? iat,
    };
    if (input.sid) payload.sid = input.sid;
    if (input.nonce) payload.nonce = input.nonce;
    return signJwt(payload, this.keys.currentSigner());
  }

  /**
   * Verifies signature, issuer, expiry and revocation (by jti and by session). Throws 401
   * UNAUTHORIZED for anything else. `allowExpired` lets logout-like callers identify the session.
   */
  async verify(token: string, options: { allowExpired?: boolean } = {}): Promise<AccessClaims> {
    const jwt = decodeJwt(token);
    if (!jwt) throw Errors.unauthorized('Invalid access token');
    const verifier = this.keys.verifierSync(jwt.header.kid) ?? (await this.keys.verifierFor(jwt.header.kid));
    if (!verifier || !verifySignature(jwt, verifier.alg, verifier.publicKey)) {
      throw Errors.unauthorized('Invalid access token');
    }
    const c = jwt.payload as Partial<AccessClaims>;
    const now = Math.floor(Date.now() / 1000);
    if (
      c.iss !== this.config.jwtIssuer ||
      typeof c.sub !== 'string' ||
      typeof c.jti !== 'string' ||
      typeof c.exp !== 'number' ||
      (!options.allowExpired && c.exp <= now)
    ) {
      throw Errors.unauthorized('Invalid or expired access token');
    }
    if (this.revocations.isRevoked(c.jti, c.sid))
      throw Errors.unauthorized('The access token has been revoked');
    return c as AccessClaims;
  }
}
