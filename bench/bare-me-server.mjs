// The bare-node baseline of bench/run.mjs: a plain node:http server doing the least work an
// `/auth/me` needs (verify the access token's signature with the service's published key, check
// `exp`, serialise the user). Run as a child process (fork with an IPC channel) so it never shares
// an event loop with autocannon. The parent sends {jwks, body}; we answer {port} once listening.
import { createPublicKey, verify } from 'node:crypto';
import { createServer } from 'node:http';

/** Digest per JWS algorithm for crypto.verify (EdDSA takes none). */
const DIGEST = { ES256: 'sha256', RS256: 'sha256', EdDSA: null };

function unauthorized(res) {
  const json = '{"statusCode":401,"error":"Unauthorized","code":"UNAUTHORIZED","message":"Unauthorized"}';
  res.writeHead(401, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
}

function start({ jwks, body }) {
  const keys = new Map(
    jwks.keys.map((jwk) => [
      jwk.kid,
      { alg: jwk.alg ?? 'ES256', key: createPublicKey({ key: jwk, format: 'jwk' }) },
    ]),
  );

  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/auth/me') {
      res.writeHead(404).end();
      return;
    }
    const auth = req.headers.authorization;
    if (!auth || !auth.startsWith('Bearer ')) return unauthorized(res);
    const parts = auth.slice(7).split('.');
    if (parts.length !== 3) return unauthorized(res);
    let header;
    let payload;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return unauthorized(res);
    }
    const entry = keys.get(header.kid);
    if (!entry || header.alg !== entry.alg || !(entry.alg in DIGEST)) return unauthorized(res);
    let valid = false;
    try {
      valid = verify(
        DIGEST[entry.alg],
        Buffer.from(`${parts[0]}.${parts[1]}`),
        { key: entry.key, dsaEncoding: 'ieee-p1363' },
        Buffer.from(parts[2], 'base64url'),
      );
    } catch {
      valid = false;
    }
    if (!valid || typeof payload.exp !== 'number' || payload.exp * 1000 <= Date.now())
      return unauthorized(res);
    const json = JSON.stringify(body);
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(json),
    });
    res.end(json);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
}

process.once('message', (message) => {
  try {
    start(message);
  } catch (err) {
    process.send({ error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
});
// The parent went away (finished, crashed or was killed): do not outlive it.
process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
