import { randomBytes } from 'node:crypto';

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
  jwtAlgorithm: JwtAlgorithm;
  logLevel: LogLevelName;
  trustProxy: boolean;
  rateLimitPerIp: number;
  rateLimitPerAccount: number;
  loginActivityRetentionDays: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  smsGatewayUrl: string | undefined;
  captchaVerifyUrl: string | undefined;
  captchaSecret: string | undefined;
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
 * In production every required variable must be set; outside production DATABASE_URL and
 * ENCRYPTION_KEY may be left out (the embedded database and a persisted dev key fill them).
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
    jwtAlgorithm: oneOf(env, 'JWT_ALGORITHM', JWT_ALGORITHMS, 'ES256'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    rateLimitPerIp: int(env, 'RATE_LIMIT_PER_IP', 120, 1, 10_000_000),
    rateLimitPerAccount: int(env, 'RATE_LIMIT_PER_ACCOUNT', 10, 1, 10_000_000),
    loginActivityRetentionDays: int(env, 'LOGIN_ACTIVITY_RETENTION_DAYS', 400, 1, 100_000),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: str(env, 'MAIL_FROM') ?? 'no-reply@localhost',
    smsGatewayUrl: url(env, 'SMS_GATEWAY_URL', ['http:', 'https:']),
    captchaVerifyUrl: url(env, 'CAPTCHA_VERIFY_URL', ['http:', 'https:']),
    captchaSecret: str(env, 'CAPTCHA_SECRET'),
  };
}
