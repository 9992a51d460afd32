import { describe, expect, it } from 'vitest';
import { ConfigError, generateEncryptionKey, loadConfig } from './config.js';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u@db/auth',
  ADMIN_API_KEY: 'k'.repeat(40),
  ENCRYPTION_KEY: generateEncryptionKey(),
};

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has the defaults of API.md section 10', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      jwtAlgorithm: 'ES256',
      logLevel: 'info',
      rateLimitPerIp: 120,
      rateLimitPerAccount: 10,
      loginActivityRetentionDays: 400,
      publicUrl: 'http://localhost:3000',
      jwtIssuer: 'http://localhost:3000',
      migrationsRun: true,
    });
  });

  it('defaults JWT_ISSUER to PUBLIC_URL without a trailing slash', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://auth.example.com/' }).jwtIssuer).toBe(
      'https://auth.example.com',
    );
  });

  it.each(['DATABASE_URL', 'ADMIN_API_KEY', 'ENCRYPTION_KEY'])('requires %s in production', (name) => {
    const env: Record<string, string> = { ...production };
    delete env[name];
    expect(errorOf(env).variable).toBe(name);
    expect(errorOf(env).message).toContain(name);
  });

  it('WEBAUTHN_RP_ID: the host of PUBLIC_URL by default, or a registrable suffix of it', () => {
    expect(loadConfig({}).webauthnRpId).toBe('localhost');
    expect(loadConfig({ PUBLIC_URL: 'https://login.example.com' }).webauthnRpId).toBe('login.example.com');
    const rp = (value: string) =>
      loadConfig({ PUBLIC_URL: 'https://login.eu.example.com:8443', WEBAUTHN_RP_ID: value });
    expect(rp('example.com').webauthnRpId).toBe('example.com');
    expect(rp('EU.Example.com').webauthnRpId).toBe('eu.example.com');
    expect(rp('login.eu.example.com').webauthnRpId).toBe('login.eu.example.com');
  });

  it.each([
    ['com', 'a public suffix of one label'],
    ['ample.com', 'a suffix that is not on a label boundary'],
    ['other.example.com', 'a sibling host'],
    ['example.org', 'another domain'],
    ['https://example.com', 'a URL'],
    ['example.com:443', 'a port'],
    ['127.0.0.1', 'an IP address'],
  ])('refuses WEBAUTHN_RP_ID=%s (%s) at start-up, naming the variable', (value) => {
    const err = errorOf({ PUBLIC_URL: 'https://login.eu.example.com', WEBAUTHN_RP_ID: value });
    expect(err.variable).toBe('WEBAUTHN_RP_ID');
    expect(err.message).toContain('WEBAUTHN_RP_ID');
  });

  it('names the variable of a bad value', () => {
    expect(errorOf({ PORT: 'eighty' }).variable).toBe('PORT');
    expect(errorOf({ ENCRYPTION_KEY: 'c2hvcnQ=' }).variable).toBe('ENCRYPTION_KEY');
    expect(errorOf({ JWT_ALGORITHM: 'HS256' }).variable).toBe('JWT_ALGORITHM');
    expect(errorOf({ LOG_LEVEL: 'loud' }).variable).toBe('LOG_LEVEL');
    expect(errorOf({ DATABASE_URL: 'mysql://x' }).variable).toBe('DATABASE_URL');
    expect(errorOf({ RATE_LIMIT_PER_IP: '0' }).variable).toBe('RATE_LIMIT_PER_IP');
    expect(errorOf({ REDIS_URL: 'not a url' }).variable).toBe('REDIS_URL');
  });

  it('refuses an ADMIN_API_KEY shorter than 32 characters in production, naming the variable', () => {
    const short = errorOf({ ...production, ADMIN_API_KEY: 'k'.repeat(31) });
    expect(short).toBeInstanceOf(ConfigError);
    expect(short.variable).toBe('ADMIN_API_KEY');
    expect(short.message).toMatch(/ADMIN_API_KEY must be at least 32 characters/);
    // Surrounding spaces do not count (values are trimmed).
    expect(errorOf({ ...production, ADMIN_API_KEY: `  ${'k'.repeat(31)}  ` }).variable).toBe('ADMIN_API_KEY');
    expect(loadConfig({ ...production, ADMIN_API_KEY: 'k'.repeat(32) }).adminApiKey).toBe('k'.repeat(32));
  });

  it('accepts a shorter ADMIN_API_KEY outside production (local experiments)', () => {
    expect(loadConfig({ ADMIN_API_KEY: 'dev-key' }).adminApiKey).toBe('dev-key');
  });

  it('accepts a complete production environment', () => {
    expect(loadConfig(production).production).toBe(true);
  });
});
