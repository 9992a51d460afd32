// The bound of GET /auth/me: a plain node:http server doing the least work the route needs. It
// checks the access token as the service does (compact JWS, the key of the header's kid from
// the service's JWKS, node:crypto verify with an ieee-p1363 signature, then iss, sub, jti and exp)
// and answers the same JSON the service answered for that token. Forked by the bench with an IPC
// channel so it never shares an event loop with autocannon: the parent sends {jwks, issuer, body},
// this answers {port} once listening (or {error}).
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { answerJson, runBareChild } from './bare-http.js';

export interface BareServerInput {
  jwks: { keys: (Record<string, unknown> & { kid?: string; alg?: string })[] };
  issuer: string;
  body: unknown;
}

/** Digest per JWS algorithm for crypto.verify (EdDSA takes none). */
const DIGEST: Record<string, string | null> = { ES256: 'sha256', RS256: 'sha256', EdDSA: null };

const UNAUTHORIZED = JSON.stringify({
  statusCode: 401,
  error: 'Unauthorized',
  code: 'UNAUTHORIZED',
  message: 'Unauthorized',
});

function start({ jwks, issuer, body }: BareServerInput): Server {
  const keys = new Map<string, { alg: string; key: KeyObject }>();
  for (const jwk of jwks.keys) {
    if (!jwk.kid) continue;
    keys.set(jwk.kid, { alg: jwk.alg ?? 'ES256', key: createPublicKey({ key: jwk, format: 'jwk' }) });
  }

  return createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/auth/me') {
      res.writeHead(404).end();
      return;
    }
    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ')) return answerJson(res, 401, UNAUTHORIZED);
    const parts = auth.slice(7).split('.');
    if (parts.length !== 3) return answerJson(res, 401, UNAUTHORIZED);
    let header: { alg?: string; kid?: string };
    let claims: { iss?: unknown; sub?: unknown; jti?: unknown; exp?: unknown };
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as typeof header;
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return answerJson(res, 401, UNAUTHORIZED);
    }
    const entry = header.kid === undefined ? undefined : keys.get(header.kid);
    if (!entry || header.alg !== entry.alg || !(entry.alg in DIGEST))
      return answerJson(res, 401, UNAUTHORIZED);
    let valid = false;
    try {
      valid = verify(
        DIGEST[entry.alg]!,
        Buffer.from(`${parts[0]}.${parts[1]}`),
        { key: entry.key, dsaEncoding: 'ieee-p1363' },
        Buffer.from(parts[2]!, 'base64url'),
      );
    } catch {
      valid = false;
    }
    if (
      !valid ||
      claims.iss !== issuer ||
      typeof claims.sub !== 'string' ||
      typeof claims.jti !== 'string' ||
      typeof claims.exp !== 'number' ||
      claims.exp <= Math.floor(Date.now() / 1000)
    )
      return answerJson(res, 401, UNAUTHORIZED);
    answerJson(res, 200, JSON.stringify(body));
  });
}

runBareChild(start);
