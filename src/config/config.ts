import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/** Log levels accepted in LOG_LEVEL, most to least severe. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
export const JWT_ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** The whole typed configuration. Built once at boot by `loadConfig`; never read process.env elsewhere. */
export interface AppConfig {
  production: boolean;
  port: number;
  /** Postgres URL. Undefined only before the embedded database has been started. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  migrationsRun: boolean;
  redisUrl: string | undefined;
  /** Prefix of every Redis key, so several services or environments can share one Redis. */
  redisKeyPrefix: string;
  adminApiKey: string | undefined;
  encryptionKey: Buffer | undefined;
  encryptionKeyPrevious: Buffer | undefined;
  publicUrl: string;
  jwtIssuer: string;
  /** The WebAuthn relying party id of passkeys (API.md section 13): PUBLIC_URL's host or a registrable suffix of it. */
  webauthnRpId: string;
  jwtAlgorithm: JwtAlgorithm;
  /**
   * `Cache-Control: max-age` of the JWKS, in seconds. A new signing key is published twice this
   * long before it signs (relying parties that cached the set still know it when it is used).
   */
  jwksMaxAgeSeconds: number;
  logLevel: LogLevelName;
  trustProxy: boolean;
  rateLimitPerIp: number;
  rateLimitPerAccount: number;
  loginActivityRetentionDays: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  smsGatewayUrl: string | undefined;
  /** Mails/SMS per hour to one address (forgot password, sign-up, codes): mail-bombing guard. */
  rateLimitPerAddress: number;
  /** How often each instance looks for due outbox messages. */
  outboxPollIntervalMs: number;
  /** First retry delay of a failed delivery; doubles each attempt, capped at one hour. */
  outboxRetryBaseMs: number;
  /** Deliveries tried before a message is marked `failed`. */
  outboxMaxAttempts: number;
  captchaVerifyUrl: string | undefined;
  captchaSecret: string | undefined;
  /** Social and SAML login providers (API.md section 5); an absent entry is not configured. */
  providers: ProvidersConfig;
  /** Folder of the built admin console (CONSOLE_DIR; default: dist/console of the project). */
  consoleDir: string | undefined;
}

/** A configuration error names the variable at fault; main prints it and exits. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be an absolute URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use one of ${protocols.join(', ')}`);
  }
  return raw;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (!match) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return match;
}

/** ADMIN_API_KEY opens every admin route of every tenant: at least this long (API.md section 12). */
export const ADMIN_API_KEY_MIN_LENGTH = 32;

/** Decodes a base64 AES-256 key; exactly 32 bytes. */
export function parseEncryptionKey(name: string, raw: string | undefined): Buffer | undefined {
  if (raw === undefined) return undefined;
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== raw.replace(/=+$/, '')) {
    throw new ConfigError(name, 'must be 32 bytes encoded as base64 (e.g. `openssl rand -base64 32`)');
  }
  return key;
}

export function generateEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * Reads and validates the environment. Throws ConfigError naming the first bad variable.
 * In production every required variable must be set, and ADMIN_API_KEY must have at least 32
 * characters; outside production DATABASE_URL and ENCRYPTION_KEY may be left out (the embedded
 * database and a persisted dev key fill them) and a shorter ADMIN_API_KEY is accepted (local
 * experiments; the test suites use long keys anyway).
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const production = str(env, 'NODE_ENV') === 'production';
  const port = int(env, 'PORT', 3000, 0, 65535);
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const adminApiKey = str(env, 'ADMIN_API_KEY');
  const encryptionKey = parseEncryptionKey('ENCRYPTION_KEY', str(env, 'ENCRYPTION_KEY'));
  if (production) {
    if (!databaseUrl) throw new ConfigError('DATABASE_URL', 'is required when NODE_ENV=production');
    if (!adminApiKey) throw new ConfigError('ADMIN_API_KEY', 'is required when NODE_ENV=production');
    if (adminApiKey.length < ADMIN_API_KEY_MIN_LENGTH) {
      throw new ConfigError(
        'ADMIN_API_KEY',
        `must be at least ${ADMIN_API_KEY_MIN_LENGTH} characters when NODE_ENV=production (e.g. \`openssl rand -base64 32\`)`,
      );
    }
    if (!encryptionKey) throw new ConfigError('ENCRYPTION_KEY', 'is required when NODE_ENV=production');
  }
  const publicUrl = (url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(
    /\/+$/,
    '',
  );
  return {
    production,
    port,
    databaseUrl,
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
    migrationsRun: bool(env, 'DATABASE_MIGRATIONS_RUN', true),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisKeyPrefix: str(env, 'REDIS_KEY_PREFIX') ?? 'auth:rl:',
    adminApiKey,
    encryptionKey,
    encryptionKeyPrevious: parseEncryptionKey('ENCRYPTION_KEY_PREVIOUS', str(env, 'ENCRYPTION_KEY_PREVIOUS')),
    publicUrl,
    jwtIssuer: str(env, 'JWT_ISSUER') ?? publicUrl,
    webauthnRpId: webauthnRpId(env, publicUrl),
    jwtAlgorithm: oneOf(env, 'JWT_ALGORITHM', JWT_ALGORITHMS, 'ES256'),
    jwksMaxAgeSeconds: int(env, 'JWKS_MAX_AGE', 300, 0, 86_400),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    rateLimitPerIp: int(env, 'RATE_LIMIT_PER_IP', 120, 1, 10_000_000),
    rateLimitPerAccount: int(env, 'RATE_LIMIT_PER_ACCOUNT', 10, 1, 10_000_000),
    loginActivityRetentionDays: int(env, 'LOGIN_ACTIVITY_RETENTION_DAYS', 400, 1, 100_000),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: str(env, 'MAIL_FROM') ?? 'no-reply@localhost',
    smsGatewayUrl: url(env, 'SMS_GATEWAY_URL', ['http:', 'https:']),
    rateLimitPerAddress: int(env, 'RATE_LIMIT_PER_ADDRESS', 5, 1, 10_000_000),
    outboxPollIntervalMs: int(env, 'OUTBOX_POLL_INTERVAL_MS', 2000, 50, 3_600_000),
    outboxRetryBaseMs: int(env, 'OUTBOX_RETRY_BASE_MS', 5000, 10, 3_600_000),
    outboxMaxAttempts: int(env, 'OUTBOX_MAX_ATTEMPTS', 15, 1, 1000),
    captchaVerifyUrl: url(env, 'CAPTCHA_VERIFY_URL', ['http:', 'https:']),
    captchaSecret: str(env, 'CAPTCHA_SECRET'),
    providers: loadProviders(env),
    consoleDir: str(env, 'CONSOLE_DIR'),
  };
}

/**
 * WEBAUTHN_RP_ID: by default the host of PUBLIC_URL. A value must be that host or a suffix of it
 * on a label boundary with at least two labels (`example.com` for `login.example.com`, never
 * `com`), a bare lower-case host name (no scheme, port or path, not an IP address): browsers
 * refuse passkeys for any other RP id, so start-up refuses it first. (Public suffixes with a dot,
 * such as `co.uk`, are not known here: the browser refuses those.)
 */
export function webauthnRpId(env: Env, publicUrl: string): string {
  const host = new URL(publicUrl).hostname.toLowerCase();
  const raw = str(env, 'WEBAUTHN_RP_ID');
  if (raw === undefined) return host;
  const rpId = raw.toLowerCase().replace(/\.$/, '');
  const hostName =
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
  if (!hostName.test(rpId) || isIP(rpId)) {
    throw new ConfigError('WEBAUTHN_RP_ID', `must be a host name without scheme, port or path, got "${raw}"`);
  }
  const suffixOk = host.endsWith(`.${rpId}`) && rpId.includes('.') && !isIP(host);
  if (rpId !== host && !suffixOk) {
    throw new ConfigError(
      'WEBAUTHN_RP_ID',
      `must be the host of PUBLIC_URL (${host}) or a registrable suffix of it, got "${raw}"`,
    );
  }
  return rpId;
}

// ---- social and SAML providers (API.md section 5) -------------------------------------------

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
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be an absolute URL');
  }
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
