import { createHmac, randomBytes } from 'node:crypto';
import { listen, readBody, sendJson } from './http.js';

/** How the token endpoint answers: Facebook's, Instagram's business login (wrapped), or a bare one. */
export type TokenShape = 'facebook' | 'instagram-wrapped' | 'bare';

export interface OAuth2Idp {
  /** FACEBOOK_* / INSTAGRAM_* variables for this server. */
  env(prefix: 'FACEBOOK' | 'INSTAGRAM'): Record<string, string>;
  /** The profile the userinfo endpoint answers for the next login. */
  loginAs(profile: Record<string, unknown>): void;
  /** The next authorization answers `?error=` instead of a code. */
  deny(error: string | null): void;
  /** appsecret_proof values the userinfo endpoint saw (checked when present). */
  proofs: string[];
  close(): Promise<void>;
}

/**
 * A small plain OAuth 2.0 provider in the style of Facebook's and Instagram's (authorize, token,
 * `/me` userinfo), on loopback. The token answer lacks `token_type` unless shaped like Facebook's.
 */
export async function startOAuth2Idp(options: {
  clientId: string;
  clientSecret: string;
  shape: TokenShape;
}): Promise<OAuth2Idp> {
  const codes = new Map<string, { redirectUri: string; profile: Record<string, unknown> }>();
  const tokens = new Map<string, Record<string, unknown>>();
  const proofs: string[] = [];
  let next: Record<string, unknown> | undefined;
  let denial: string | null = null;

  const server = await listen((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://idp');
      if (req.method === 'GET' && url.pathname === '/dialog/oauth') {
        const p = url.searchParams;
        if (p.get('client_id') !== options.clientId || p.get('response_type') !== 'code') {
          return sendJson(res, 400, { error: 'invalid_request' });
        }
        const target = new URL(p.get('redirect_uri')!);
        if (denial) {
          target.searchParams.set('error', denial);
          target.searchParams.set('error_description', 'The user denied the request');
        } else {
          const code = randomBytes(16).toString('hex');
          codes.set(code, { redirectUri: p.get('redirect_uri')!, profile: next ?? {} });
          target.searchParams.set('code', code);
        }
        target.searchParams.set('state', p.get('state') ?? '');
        res.writeHead(302, { location: target.href });
        return res.end();
      }
      if (req.method === 'POST' && url.pathname === '/oauth/access_token') {
        const form = new URLSearchParams(await readBody(req));
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (
          form.get('client_id') !== options.clientId ||
          form.get('client_secret') !== options.clientSecret
        ) {
          return sendJson(res, 400, {
            error: { message: 'Error validating client secret', type: 'OAuthException' },
          });
        }
        if (
          !grant ||
          form.get('redirect_uri') !== grant.redirectUri ||
          form.get('grant_type') !== 'authorization_code'
        ) {
          return sendJson(res, 400, { error: 'invalid_grant' });
        }
        const accessToken = randomBytes(16).toString('hex');
        tokens.set(accessToken, grant.profile);
        if (options.shape === 'facebook') {
          return sendJson(res, 200, { access_token: accessToken, token_type: 'bearer', expires_in: 5183944 });
        }
        if (options.shape === 'instagram-wrapped') {
          return sendJson(res, 200, {
            data: [
              {
                access_token: accessToken,
                user_id: grant.profile.user_id,
                permissions: 'instagram_business_basic',
              },
            ],
          });
        }
        return sendJson(res, 200, { access_token: accessToken, user_id: grant.profile.id });
      }
      if (req.method === 'GET' && url.pathname === '/me') {
        const token = url.searchParams.get('access_token') ?? '';
        const profile = tokens.get(token);
        if (!profile)
          return sendJson(res, 401, {
            error: { message: 'Invalid OAuth access token', type: 'OAuthException' },
          });
        const proof = url.searchParams.get('appsecret_proof');
        if (proof !== null) {
          proofs.push(proof);
          const expected = createHmac('sha256', options.clientSecret).update(token).digest('hex');
          if (proof !== expected)
            return sendJson(res, 400, { error: { message: 'Invalid appsecret_proof' } });
        }
        const fields = (url.searchParams.get('fields') ?? 'id').split(',');
        return sendJson(
          res,
          200,
          Object.fromEntries(fields.filter((f) => f in profile).map((f) => [f, profile[f]])),
        );
      }
      sendJson(res, 404, { error: 'not_found' });
    })().catch((err: Error) => sendJson(res, 500, { error: err.message }));
  });

  return {
    env: (prefix) => ({
      [`${prefix}_CLIENT_ID`]: options.clientId,
      [`${prefix}_CLIENT_SECRET`]: options.clientSecret,
      [`${prefix}_AUTHORIZATION_URL`]: `${server.url}/dialog/oauth`,
      [`${prefix}_TOKEN_URL`]: `${server.url}/oauth/access_token`,
      [`${prefix}_USERINFO_URL`]: `${server.url}/me`,
    }),
    loginAs: (profile) => {
      next = profile;
    },
    deny: (error) => {
      denial = error;
    },
    proofs,
    close: () => server.close(),
  };
}
