import { generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, JWK, jwtVerify, SignJWT } from 'jose';
import { listen, readBody, sendJson } from './http.js';

export interface AppleAccount {
  sub: string;
  email?: string;
  /** Apple sends the string "true". */
  email_verified?: string | boolean;
  /** Posted as the `user` form field (Apple does so on the first login only). */
  name?: { firstName: string; lastName: string };
}

/** Builds the ID token the token endpoint answers: the default signs it correctly. */
export type IdTokenFactory = (claims: Record<string, unknown>, sign: SignWith) => Promise<string>;
export type SignWith = (
  claims: Record<string, unknown>,
  options?: { key?: CryptoKey; kid?: string },
) => Promise<string>;

export interface AppleIdp {
  /** The value of APPLE_ISSUER. */
  issuer: string;
  /** The environment of the service for this IdP (APPLE_*). */
  env: Record<string, string>;
  loginAs(account: AppleAccount): void;
  /** Replaces how the next ID tokens are made (forged, unsigned, expired, ...) until null. */
  idTokens(factory: IdTokenFactory | null): void;
  /** Client-secret JWTs the token endpoint refused (should stay empty). */
  refusedSecrets: string[];
  close(): Promise<void>;
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * A Sign in with Apple stand-in on loopback: `/auth/authorize` answers Apple's form_post page,
 * `/auth/token` checks the ES256 client-secret JWT against the public half of APPLE_PRIVATE_KEY
 * (kid, iss = team id, sub = client id, aud = issuer) and answers an RS256 ID token signed with a
 * key it publishes at `/auth/keys`.
 */
export async function startAppleIdp(): Promise<AppleIdp> {
  const clientId = 'com.example.web';
  const teamId = 'TEAM123456';
  const keyId = 'KEY1234567';
  const clientKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const clientPublicKey: KeyObject = clientKeys.publicKey;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid: 'apple-key-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce: string; redirectUri: string; account: AppleAccount }>();
  const named = new Set<string>();
  const refusedSecrets: string[] = [];
  let next: AppleAccount | undefined;
  let factory: IdTokenFactory | null = null;

  const server = await listen((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://idp');
      if (req.method === 'GET' && url.pathname === '/auth/keys')
        return sendJson(res, 200, { keys: [publicJwk] });
      if (req.method === 'GET' && url.pathname === '/auth/authorize') {
        const p = url.searchParams;
        if (
          p.get('client_id') !== clientId ||
          p.get('response_mode') !== 'form_post' ||
          p.get('scope') !== 'name email'
        ) {
          return sendJson(res, 400, { error: 'invalid_request' });
        }
        if (!next) return sendJson(res, 500, { error: 'no test account' });
        const code = randomBytes(16).toString('hex');
        codes.set(code, { nonce: p.get('nonce') ?? '', redirectUri: p.get('redirect_uri')!, account: next });
        const fields: Record<string, string> = { code, state: p.get('state') ?? '' };
        if (next.name && !named.has(next.sub)) {
          named.add(next.sub);
          fields.user = JSON.stringify({ name: next.name, email: next.email });
        }
        const inputs = Object.entries(fields)
          .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v)}">`)
          .join('');
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(
          `<html><body><form method="post" action="${escapeHtml(p.get('redirect_uri')!)}">${inputs}</form></body></html>`,
        );
      }
      if (req.method === 'POST' && url.pathname === '/auth/token') {
        const form = new URLSearchParams(await readBody(req));
        const secret = form.get('client_secret') ?? '';
        try {
          const { protectedHeader } = await jwtVerify(secret, clientPublicKey, {
            issuer: teamId,
            subject: clientId,
            audience: server.url,
            algorithms: ['ES256'],
          });
          if (protectedHeader.kid !== keyId || form.get('client_id') !== clientId)
            throw new Error('kid/client_id');
        } catch {
          refusedSecrets.push(secret);
          return sendJson(res, 400, { error: 'invalid_client' });
        }
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (
          !grant ||
          form.get('grant_type') !== 'authorization_code' ||
          form.get('redirect_uri') !== grant.redirectUri
        ) {
          return sendJson(res, 400, { error: 'invalid_grant' });
        }
        const claims: Record<string, unknown> = {
          iss: server.url,
          aud: clientId,
          sub: grant.account.sub,
          nonce: grant.nonce,
          nonce_supported: true,
          email: grant.account.email,
          email_verified: grant.account.email_verified,
          iat: Math.floor(Date.now() / 1000),
          exp: Math.floor(Date.now() / 1000) + 600,
        };
        const sign: SignWith = (c, options) =>
          new SignJWT(c)
            .setProtectedHeader({ alg: 'RS256', kid: options?.kid ?? publicJwk.kid })
            .sign(options?.key ?? privateKey);
        const idToken = await (factory ?? ((c, s) => s(c)))(claims, sign);
        return sendJson(res, 200, {
          access_token: randomBytes(16).toString('hex'),
          token_type: 'Bearer',
          expires_in: 3600,
          refresh_token: randomBytes(16).toString('hex'),
          id_token: idToken,
        });
      }
      sendJson(res, 404, { error: 'not_found' });
    })().catch((err: Error) => sendJson(res, 500, { error: err.message }));
  });

  return {
    issuer: server.url,
    env: {
      APPLE_CLIENT_ID: clientId,
      APPLE_TEAM_ID: teamId,
      APPLE_KEY_ID: keyId,
      APPLE_PRIVATE_KEY: clientKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      APPLE_ISSUER: server.url,
    },
    loginAs: (account) => {
      next = account;
    },
    idTokens: (f) => {
      factory = f;
    },
    refusedSecrets,
    close: () => server.close(),
  };
}
