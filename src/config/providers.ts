import { createPrivateKey, X509Certificate } from 'node:crypto';
import { absoluteUrl, ConfigError, type Env, str } from './env.js';

/** Social and SAML providers (API.md section 5): which are configured, and their settings. */

/** An OpenID Connect provider: endpoints and keys come from `<issuer>/.well-known/openid-configuration`. */
export interface OidcProviderConfig {
  clientId: string;
  clientSecret: string;
  issuer: string;
}

/** Sign in with Apple: the client secret is an ES256 JWT signed with `privateKey` (PEM). */
export interface AppleProviderConfig {
  clientId: string;
  teamId: string;
  keyId: string;
  privateKey: string;
  /** Without a trailing slash; the endpoints are `<issuer>/auth/authorize`, `/auth/token`, `/auth/keys`. */
  issuer: string;
}

/** A plain OAuth 2.0 provider (Facebook, Instagram) with its endpoints. */
export interface OAuth2ProviderConfig {
  clientId: string;
  clientSecret: string;
  authorizationUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
}

export interface SamlProviderConfig {
  /** The IdP's SSO URL (HTTP-Redirect binding). */
  entryPoint: string;
  /** Our SP entity id. */
  issuer: string;
  /** The IdP's signing certificates (PEM; several during a certificate rollover). */
  idpCerts: string[];
  audience: string;
}

export interface ProvidersConfig {
  google?: OidcProviderConfig;
  azure?: OidcProviderConfig;
  cognito?: OidcProviderConfig;
  keycloak?: OidcProviderConfig;
  apple?: AppleProviderConfig;
  facebook?: OAuth2ProviderConfig;
  instagram?: OAuth2ProviderConfig;
  saml?: SamlProviderConfig;
}

export const DEFAULT_GOOGLE_ISSUER = 'https://accounts.google.com';
export const DEFAULT_APPLE_ISSUER = 'https://appleid.apple.com';
/** Unversioned Graph API endpoints follow the app's default API version. */
export const FACEBOOK_DEFAULTS = {
  authorizationUrl: 'https://www.facebook.com/dialog/oauth',
  tokenUrl: 'https://graph.facebook.com/oauth/access_token',
  userinfoUrl: 'https://graph.facebook.com/me?fields=id,name,email,first_name,last_name',
};
/** Instagram API with Instagram Login (business and creator accounts). */
export const INSTAGRAM_DEFAULTS = {
  authorizationUrl: 'https://www.instagram.com/oauth/authorize',
  tokenUrl: 'https://api.instagram.com/oauth/access_token',
  userinfoUrl: 'https://graph.instagram.com/me?fields=id,user_id,username,name',
};

/** 127.0.0.0/8, localhost and ::1: the only hosts a provider may be reached on over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** A provider endpoint: https, or http on a loopback host (tests, a local Keycloak). */
function providerUrl(env: Env, name: string, fallback?: string): string | undefined {
  const raw = str(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  const parsed = absoluteUrl(name, raw);
  const secure =
    parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname));
  if (!secure) throw new ConfigError(name, 'must use https (plain http only on 127.0.0.0/8 or localhost)');
  if (parsed.hash) throw new ConfigError(name, 'must not have a #fragment');
  return raw;
}

/** PEM from the environment: `\n` escapes (one-line variables) become line breaks. */
function pemValue(raw: string): string {
  return raw.replace(/\\n/g, '\n').trim();
}

function applePrivateKey(env: Env, name: string): string {
  const pem = pemValue(str(env, name)!);
  try {
    const key = createPrivateKey(pem);
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (key.asymmetricKeyType === 'ec' && (curve === 'prime256v1' || curve === 'P-256')) return pem;
  } catch {
    /* reported below */
  }
  throw new ConfigError(
    name,
    'must be the P-256 private key (PEM, the .p8 file) Apple issued for Sign in with Apple',
  );
}

function samlCertificates(env: Env, name: string): string[] {
  const raw = pemValue(str(env, name)!);
  const blocks = raw.includes('-----BEGIN')
    ? (raw.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [])
    : [`-----BEGIN CERTIFICATE-----\n${raw.replace(/\s+/g, '')}\n-----END CERTIFICATE-----`];
  if (!blocks.length) throw new ConfigError(name, 'must be a PEM certificate');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw new ConfigError(name, 'must be a PEM certificate (or several, during a rollover)');
    }
  }
  return blocks;
}

/**
 * A provider is configured when its required variables are set; none set means "not configured"
 * (its routes answer 404). Some but not all set is a mistake worth stopping for.
 */
function requiredGroup(env: Env, names: string[]): boolean {
  const set = names.filter((n) => str(env, n) !== undefined);
  if (!set.length) return false;
  const missing = names.find((n) => str(env, n) === undefined);
  if (missing) throw new ConfigError(missing, `is required when ${set[0]} is set`);
  return true;
}

function oidcProvider(env: Env, prefix: string, defaultIssuer?: string): OidcProviderConfig | undefined {
  const required = [`${prefix}_CLIENT_ID`, `${prefix}_CLIENT_SECRET`];
  if (!defaultIssuer) required.push(`${prefix}_ISSUER`);
  if (!requiredGroup(env, required)) return undefined;
  return {
    clientId: str(env, `${prefix}_CLIENT_ID`)!,
    clientSecret: str(env, `${prefix}_CLIENT_SECRET`)!,
    issuer: providerUrl(env, `${prefix}_ISSUER`, defaultIssuer)!,
  };
}

function oauth2Provider(
  env: Env,
  prefix: string,
  defaults: { authorizationUrl: string; tokenUrl: string; userinfoUrl: string },
): OAuth2ProviderConfig | undefined {
  if (!requiredGroup(env, [`${prefix}_CLIENT_ID`, `${prefix}_CLIENT_SECRET`])) return undefined;
  return {
    clientId: str(env, `${prefix}_CLIENT_ID`)!,
    clientSecret: str(env, `${prefix}_CLIENT_SECRET`)!,
    authorizationUrl: providerUrl(env, `${prefix}_AUTHORIZATION_URL`, defaults.authorizationUrl)!,
    tokenUrl: providerUrl(env, `${prefix}_TOKEN_URL`, defaults.tokenUrl)!,
    userinfoUrl: providerUrl(env, `${prefix}_USERINFO_URL`, defaults.userinfoUrl)!,
  };
}

/** Reads the provider variables of API.md section 5; throws ConfigError naming a bad one. */
export function loadProviders(env: Env): ProvidersConfig {
  const providers: ProvidersConfig = {
    google: oidcProvider(env, 'GOOGLE', DEFAULT_GOOGLE_ISSUER),
    azure: oidcProvider(env, 'AZURE'),
    cognito: oidcProvider(env, 'COGNITO'),
    keycloak: oidcProvider(env, 'KEYCLOAK'),
    facebook: oauth2Provider(env, 'FACEBOOK', FACEBOOK_DEFAULTS),
    instagram: oauth2Provider(env, 'INSTAGRAM', INSTAGRAM_DEFAULTS),
  };
  if (requiredGroup(env, ['APPLE_CLIENT_ID', 'APPLE_TEAM_ID', 'APPLE_KEY_ID', 'APPLE_PRIVATE_KEY'])) {
    providers.apple = {
      clientId: str(env, 'APPLE_CLIENT_ID')!,
      teamId: str(env, 'APPLE_TEAM_ID')!,
      keyId: str(env, 'APPLE_KEY_ID')!,
      privateKey: applePrivateKey(env, 'APPLE_PRIVATE_KEY'),
      issuer: providerUrl(env, 'APPLE_ISSUER', DEFAULT_APPLE_ISSUER)!.replace(/\/+$/, ''),
    };
  }
  if (requiredGroup(env, ['SAML_ENTRY_POINT', 'SAML_ISSUER', 'SAML_IDP_CERT'])) {
    const issuer = str(env, 'SAML_ISSUER')!;
    providers.saml = {
      entryPoint: providerUrl(env, 'SAML_ENTRY_POINT')!,
      issuer,
      idpCerts: samlCertificates(env, 'SAML_IDP_CERT'),
      audience: str(env, 'SAML_AUDIENCE') ?? issuer,
    };
  }
  for (const key of Object.keys(providers) as (keyof ProvidersConfig)[]) {
    if (providers[key] === undefined) delete providers[key];
  }
  return providers;
}
