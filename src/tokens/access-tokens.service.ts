import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig, JwtAlgorithm } from '../config/config.js';
import { Errors } from '../common/errors/app-error.js';
import { SigningKeysService } from './keys/signing-keys.service.js';
import { decodeJwt, leftHalfHash, signJwt, verifySignature } from './keys/jwt.js';
import { RevocationService } from './revocation.service.js';
import { isUuid } from '../common/validation/ids.js';

/** The claims of every access token (API.md section 0; RFC 9068). */
export interface AccessClaims {
  iss: string;
  sub: string;
  aud: string;
  /** Active tenant id. */
  tid: string;
  /** Public client id (also as RFC 9068's `client_id`). */
  cid: string;
  client_id?: string;
  /** Session (refresh-token family) id. */
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  permissions: string[];
  /** The scopes granted at /oauth2/authorize (space-separated); absent for the other routes' sessions. */
  scope?: string;
  /** `visitor` for anonymous visitor tokens; absent for members. */
  typ?: string;
  [claim: string]: unknown;
}

export interface SignedAccessToken {
  token: string;
  claims: AccessClaims;
  expiresAt: Date;
}

/** What an ID token says (OpenID Connect Core 1.0 section 2), beside the standard claims it always has. */
export interface IdTokenInput {
  sub: string;
  /** The public client id (`aud` and `azp`). */
  aud: string;
  /** The client's `idTokenSignedResponseAlg`. */
  alg: JwtAlgorithm;
  sid?: string;
  nonce?: string | null;
  /** Epoch seconds of the real sign-in. */
  authTime: number;
  /** The access token answered beside it (its `at_hash`). */
  accessToken?: string;
  /** Scope-dependent claims (email, name, ...); absent values are left out. */
  claims?: Record<string, unknown>;
}

/**
 * Whether a JWT (header and payload, signature checked elsewhere) has the shape `signIdToken`
 * gives an ID token and no access token can have: `typ: JWT` (never `at+jwt`), `azp` equal to
 * `aud`, an `auth_time`, and none of the access-token claims (`jti`, `cid`, `client_id`, `tid`,
 * `permissions`, `scope`, `typ`).
 */
export function isIdTokenShape(header: { typ?: unknown }, payload: Record<string, unknown>): boolean {
  const accessClaims = ['jti', 'cid', 'client_id', 'tid', 'permissions', 'scope', 'typ'];
  return (
    typeof payload.aud === 'string' &&
    payload.azp === payload.aud &&
    typeof payload.auth_time === 'number' &&
    accessClaims.every((claim) => payload[claim] === undefined) &&
    typeof header.typ === 'string' &&
    header.typ.toUpperCase() === 'JWT'
  );
}

/** How many verified access tokens `verify` remembers (about 1 KB each). */
const VERIFIED_TOKENS_KEPT = 10_000;

/** ID tokens are for the moment of sign-in; an hour is plenty. */
export const ID_TOKEN_TTL_S = 3600;

/**
 * Signs and verifies access tokens, and signs ID tokens. No other code signs a JWT for a session.
 * Access tokens (`typ: at+jwt`, RFC 9068) are signed with the access key only and verified only
 * against access keys; ID tokens (`typ: JWT`) with an ID-token key, and never carry `jti`, so
 * neither can pass for the other.
 */
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
      scope?: string | null;
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
      client_id: input.cid,
      sid: input.sid,
      jti: randomUUID(),
      iat,
      exp: iat + ttlSeconds,
      permissions: input.permissions,
    };
    if (input.scope) claims.scope = input.scope;
    return {
      token: signJwt(claims, this.keys.accessSigner(), 'at+jwt'),
      claims,
      expiresAt: new Date(claims.exp * 1000),
    };
  }

  /**
   * Signs an OpenID Connect ID token (the `openid` scope on /oauth2/token) with the ID-token key
   * of the client's algorithm. It has no `jti`, and its `typ` is `JWT`, so `verify` below never
   * accepts it as an access token; `isIdTokenShape` tells it from an access token (RP-initiated
   * logout accepts only ID tokens).
   */
  signIdToken(input: IdTokenInput, ttlSeconds = ID_TOKEN_TTL_S): string {
    const iat = Math.floor(Date.now() / 1000);
    const signer = this.keys.idTokenSigner(input.alg);
    const payload: Record<string, unknown> = {};
    for (const [claim, value] of Object.entries(input.claims ?? {})) {
      if (value !== null && value !== undefined && value !== '') payload[claim] = value;
    }
    Object.assign(payload, {
      iss: this.config.jwtIssuer,
      sub: input.sub,
      aud: input.aud,
      azp: input.aud,
      iat,
      exp: iat + ttlSeconds,
      auth_time: input.authTime,
    });
    if (input.sid) payload.sid = input.sid;
    if (input.nonce) payload.nonce = input.nonce;
    if (input.accessToken) payload.at_hash = leftHalfHash(input.accessToken, signer.alg);
    return signJwt(payload, signer, 'JWT');
  }

  /**
   * An ID token this service issued: our signature, our issuer, and the ID-token shape (an access
   * token, which also carries `aud` and `sid`, is refused). Expired ones are read too (an
   * `id_token_hint` may be expired); `exp` says whether it still is valid. Null for anything else.
   */
  async readIdToken(token: string): Promise<{ sub: string; aud: string; sid?: string; exp: number } | null> {
    const jwt = decodeJwt(token);
    if (!jwt) return null;
    const verifier = this.keys.verifierSync(jwt.header.kid) ?? (await this.keys.verifierFor(jwt.header.kid));
    if (!verifier || !verifySignature(jwt, verifier.alg, verifier.publicKey)) return null;
    const { iss, sub, aud, sid, exp } = jwt.payload;
    if (iss !== this.config.jwtIssuer || typeof sub !== 'string' || typeof exp !== 'number') return null;
    if (!isIdTokenShape(jwt.header, jwt.payload)) return null;
    return {
      sub,
      aud: aud as string,
      sid: typeof sid === 'string' && isUuid(sid) ? sid : undefined,
      exp,
    };
  }

  /**
   * Verifies an access token: signed by an access key (an ID-token key never verifies here), `typ`
   * `at+jwt` (`JWT` only from the keys of before RFC 9068 typing), issuer, `jti`, expiry and
   * revocation (by jti and by session). Throws 401 UNAUTHORIZED for anything else.
   * `allowExpired` lets logout-like callers identify the session.
   */
  async verify(token: string, options: { allowExpired?: boolean } = {}): Promise<AccessClaims> {
    const c = (await this.signedClaims(token)) as Partial<AccessClaims>;
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

  /**
   * Access tokens whose signature verified, by the whole token: a front end presents the same
   * token on every call until it expires, and an ES256 verification costs as much CPU as the
   * rest of a `GET /auth/me`. Only the exact bytes that verified are taken from here, and only
   * while their key still verifies; the claims (issuer, expiry, revocation) are checked on every
   * call. Bounded: the oldest entry goes first.
   */
  private readonly verified = new Map<string, { kid: string; claims: Readonly<Record<string, unknown>> }>();

  /** The claims of a token signed by one of our access keys (cached), else 401 UNAUTHORIZED. */
  private async signedClaims(token: string): Promise<Readonly<Record<string, unknown>>> {
    const known = this.verified.get(token);
    if (known && this.keys.verifierSync(known.kid)) return known.claims;
    const jwt = decodeJwt(token);
    if (!jwt) throw Errors.unauthorized('Invalid access token');
    const verifier = this.keys.verifierSync(jwt.header.kid) ?? (await this.keys.verifierFor(jwt.header.kid));
    const typ = typeof jwt.header.typ === 'string' ? jwt.header.typ.toLowerCase() : undefined;
    if (
      !verifier ||
      verifier.purpose === 'id_token' ||
      !(typ === 'at+jwt' || (verifier.purpose === 'legacy' && typ === 'jwt')) ||
      !verifySignature(jwt, verifier.alg, verifier.publicKey)
    ) {
      throw Errors.unauthorized('Invalid access token');
    }
    const claims = Object.freeze(jwt.payload);
    this.verified.delete(token);
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { kid: jwt.header.kid!, claims });
    return claims;
  }
}
