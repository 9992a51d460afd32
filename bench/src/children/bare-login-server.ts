// What Node itself allows for POST /auth/login-token (information beside the argon2 bound, not a
// bound of the goal): a plain node:http server doing the least work a login needs while keeping
// the service's guarantees, on the bench database. One read (the client with its secret's
// SHA-256, the user with their argon2id hash, membership status and role permissions), the hash
// verified on the service's own hashing threads (one per core, niced), an ES256 access token
// signed with node:crypto, the refresh token's SHA-256, the IP and token payload sealed with
// AES-256-GCM, then one durable statement writing the session, its refresh token and the
// activity row. No framework, no validation library, no rate limiting, no audit of failures.
// Forked by the bench like the bare verifier (bare-http.ts): the parent sends BareLoginInput.
import {
  createCipheriv,
  createHash,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  timingSafeEqual,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from '../settings.js';
import { answerJson, runBareChild } from './bare-http.js';

export interface BareLoginInput {
  databaseUrl: string;
  issuer: string;
}

/**
 * The service's own hashing threads (HashWorkers of its build, `dist/src`, which `npm run bench`
 * builds first): one verification per core at a time, at the same lower priority.
 */
async function hashThreads(): Promise<(hash: string, password: string) => Promise<boolean>> {
  const built = join(ROOT, 'dist', 'src', 'identity', 'credentials', 'hash-workers.js');
  const { HashWorkers } = (await import(built)) as {
    HashWorkers: new () => { run<T>(job: { op: 'argon2Verify'; args: [string, string] }): Promise<T> };
  };
  const workers = new HashWorkers();
  return (hash, password) =>
    workers.run<boolean>({ op: 'argon2Verify', args: [hash, password] }).catch(() => false);
}

// Each part found by its index: the client by client_id, then the user by login, their hash and
// their membership of the client's tenant.
const READ = {
  name: 'bare.login-read',
  text: `SELECT c.id AS client, c.tenant_id AS tenant, c.secret_hash, u.id AS user, u.password_hash,
                m.status, coalesce(r.permissions, '{}') AS permissions
         FROM auth_client c
         CROSS JOIN LATERAL (
           SELECT a.id, (SELECT cr.password_hash FROM user_credential cr
                         WHERE cr.user_id = a.id AND cr.provider = 'local') AS password_hash
           FROM app_user a WHERE lower(a.username) = lower($2) OR lower(a.email) = lower($2) LIMIT 1) u
         LEFT JOIN membership m ON m.user_id = u.id AND m.tenant_id = c.tenant_id
         LEFT JOIN role r ON r.id = m.role_id
         WHERE c.client_id = $1`,
};

const WRITE = {
  name: 'bare.login-write',
  text: `WITH started AS (
           INSERT INTO session (id, user_id, tenant_id, client_id, auth_method, user_agent, ip_address_enc,
                                expires_at, access_expires_at, face)
           SELECT $1, $2, $3, $4, 'PASSWORD', $5, $6, now() + interval '30 days', now() + interval '1 hour', 'auth'
           FROM membership WHERE user_id = $2 AND tenant_id = $3 AND status = 'ACTIVE'
           RETURNING id),
         issued AS (INSERT INTO refresh_token (session_id, token_hash, expires_at)
                    SELECT id, $7, now() + interval '30 days' FROM started)
         INSERT INTO login_activity (id, actor, tenant_id, token_payload_enc, login_type, auth_method, user_agent, ip_address_enc)
         SELECT gen_random_uuid(), $2, $3, $8, 'ACCESS', 'PASSWORD', $5, $6 FROM started`,
};

interface Row {
  client: string;
  tenant: string;
  secret_hash: string | null;
  user: string;
  password_hash: string | null;
  status: string | null;
  permissions: string[];
}

const refused = (res: ServerResponse, status: number, code: string) =>
  answerJson(res, status, JSON.stringify({ statusCode: status, code, message: code }));

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

async function start({ databaseUrl, issuer }: BareLoginInput): Promise<Server> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const verify = await hashThreads();
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'bare' })).toString(
    'base64url',
  );
  const sealKey = randomBytes(32);
  const seal = (text: string) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
    const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return `${iv.toString('base64url')}.${sealed.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
  };

  const login = async (req: IncomingMessage, res: ServerResponse) => {
    let input: { client_id?: unknown; client_secret?: unknown; username?: unknown; password?: unknown };
    try {
      input = JSON.parse(await body(req)) as typeof input;
    } catch {
      return refused(res, 400, 'BAD_REQUEST');
    }
    const { client_id, client_secret, username, password } = input;
    if (typeof client_id !== 'string' || typeof username !== 'string' || typeof password !== 'string')
      return refused(res, 422, 'VALIDATION_FAILED');
    const row = (await pool.query<Row>({ ...READ, values: [client_id, username] })).rows[0];
    const secret = createHash('sha256')
      .update(typeof client_secret === 'string' ? client_secret : '')
      .digest('hex');
    if (
      !row ||
      row.secret_hash === null ||
      !timingSafeEqual(Buffer.from(secret), Buffer.from(row.secret_hash))
    )
      return refused(res, 401, 'INVALID_CLIENT');
    if (!row.password_hash || !(await verify(row.password_hash, password)))
      return refused(res, 401, 'INVALID_CREDENTIALS');
    if (row.status !== 'ACTIVE') return refused(res, 403, row.status ?? 'NOT_A_MEMBER');
    const sid = randomUUID();
    const iat = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: row.user,
      aud: client_id,
      tid: row.tenant,
      cid: client_id,
      client_id,
      sid,
      jti: randomUUID(),
      iat,
      exp: iat + 3600,
      permissions: row.permissions,
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    const refreshToken = randomBytes(32).toString('base64url');
    const written = await pool.query({
      ...WRITE,
      values: [
        sid,
        row.user,
        row.tenant,
        row.client,
        req.headers['user-agent'] ?? null,
        seal(req.socket.remoteAddress ?? ''),
        createHash('sha256').update(refreshToken).digest(),
        seal(JSON.stringify(claims)),
      ],
    });
    if (written.rowCount !== 1) return refused(res, 403, 'NOT_A_MEMBER');
    answerJson(
      res,
      200,
      JSON.stringify({
        accessToken: `${header}.${payload}.${signature.toString('base64url')}`,
        refreshToken,
        expires: new Date((iat + 3600) * 1000).toISOString(),
      }),
    );
  };

  return createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/auth/login-token') return void res.writeHead(404).end();
    login(req, res).catch(() => refused(res, 503, 'UNAVAILABLE'));
  });
}

runBareChild(start);
