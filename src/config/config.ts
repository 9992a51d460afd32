import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { bool, ConfigError, type Env, int, oneOf, str, url } from './env.js';
import { loadProviders, type ProvidersConfig } from './providers.js';

export { ConfigError } from './env.js';
export * from './providers.js';

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
