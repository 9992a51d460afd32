import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, JWK } from 'jose';
import Provider, { OidcContext } from 'oidc-provider';
import { listen } from './http.js';

export interface TestAccount {
  sub: string;
  email?: string;
  email_verified?: boolean | string;
  given_name?: string;
  family_name?: string;
}

export interface OidcClientRegistration {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** Rewrites the token endpoint's JSON answer (to test what the service refuses). */
export type TokenTamper = (
  body: Record<string, unknown>,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface OidcIdp {
  issuer: string;
  /** The RS256 private JWK the provider signs ID tokens with (to forge tokens "correctly" signed). */
  signingKey: JWK;
  /** The person who logs in at the next authorization request. */
  loginAs(account: TestAccount): void;
  /** Rewrites token answers until set back to null. */
  tamperTokens(fn: TokenTamper | null): void;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider (oidc-provider) on loopback, standing in for Google, Azure AD, Cognito and
 * Keycloak: discovery, JWKS, authorization with PKCE, token, revocation and end-session endpoints.
 * Logins are decided by the test (`loginAs`), consent is implied.
 */
export async function startOidcIdp(clients: OidcClientRegistration[]): Promise<OidcIdp> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey: JWK = { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const accounts = new Map<string, TestAccount>();
  let next: TestAccount | undefined;
  let tamper: TokenTamper | null = null;

  const server = await listen((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      void interact(req, res);
      return;
    }
    provider.callback()(req, res);
  });

  const provider = new Provider(server.url, {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: [c.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [signingKey] },
    findAccount: (_ctx: unknown, id: string) => {
      const account = accounts.get(id);
      return account && { accountId: id, claims: () => ({ ...account }) };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name'],
    },
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    loadExistingGrant: async (ctx: OidcContext) => {
      const accountId = ctx.oidc.session?.accountId;
      const clientId = ctx.oidc.client?.clientId;
      if (!accountId || !clientId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope('openid email profile');
      grant.addOIDCClaims(['email', 'email_verified', 'given_name', 'family_name']);
      await grant.save();
      return grant;
    },
    issueRefreshToken: () => true,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86400,
      Session: 3600,
    },
    pkce: { required: () => false },
    cookies: { keys: ['test-cookie-key-0123456789'] },
  });
  provider.use(async (ctx, next) => {
    await next();
    if (tamper && ctx.path === '/token' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
      ctx.body = await tamper(ctx.body as Record<string, unknown>);
    }
  });

  async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name !== 'login' || !next)
        throw new Error(`unexpected prompt ${details.prompt.name}`);
      accounts.set(next.sub, next);
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: next.sub } },
        { mergeWithLastSubmission: false },
      );
    } catch (err) {
      res.writeHead(500).end((err as Error).message);
    }
  }

  return {
    issuer: server.url,
    signingKey,
    loginAs: (account) => {
      next = account;
    },
    tamperTokens: (fn) => {
      tamper = fn;
    },
    close: () => server.close(),
  };
}
