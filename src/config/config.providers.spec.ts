import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackHost, loadConfig, loadProviders } from './config.js';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadProviders(env);
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const ecKey = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();

function certificate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=idp',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    return readFileSync(join(dir, 'c.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('provider configuration (API.md section 5)', () => {
  it('configures nothing when no provider variable is set', () => {
    expect(loadConfig({}).providers).toEqual({});
  });

  it("defaults Google's and Apple's issuers and Meta's endpoints", () => {
    const p = loadProviders({
      GOOGLE_CLIENT_ID: 'g',
      GOOGLE_CLIENT_SECRET: 's',
      FACEBOOK_CLIENT_ID: 'f',
      FACEBOOK_CLIENT_SECRET: 's',
      INSTAGRAM_CLIENT_ID: 'i',
      INSTAGRAM_CLIENT_SECRET: 's',
      APPLE_CLIENT_ID: 'com.example',
      APPLE_TEAM_ID: 'T',
      APPLE_KEY_ID: 'K',
      APPLE_PRIVATE_KEY: ecKey(),
    });
    expect(p.google).toEqual({ clientId: 'g', clientSecret: 's', issuer: 'https://accounts.google.com' });
    expect(p.apple?.issuer).toBe('https://appleid.apple.com');
    expect(p.facebook?.tokenUrl).toBe('https://graph.facebook.com/oauth/access_token');
    expect(p.instagram?.authorizationUrl).toBe('https://www.instagram.com/oauth/authorize');
    expect(p.azure).toBeUndefined();
  });

  it('names the missing variable of a half-configured provider', () => {
    expect(errorOf({ AZURE_CLIENT_ID: 'a', AZURE_CLIENT_SECRET: 's' }).variable).toBe('AZURE_ISSUER');
    expect(errorOf({ KEYCLOAK_CLIENT_SECRET: 's' }).variable).toBe('KEYCLOAK_CLIENT_ID');
    expect(errorOf({ SAML_ENTRY_POINT: 'https://idp.example.com/sso' }).variable).toBe('SAML_ISSUER');
    expect(errorOf({ APPLE_CLIENT_ID: 'x' }).variable).toBe('APPLE_TEAM_ID');
  });

  it('takes http issuers only on loopback hosts', () => {
    const oidc = (issuer: string) => ({
      COGNITO_CLIENT_ID: 'c',
      COGNITO_CLIENT_SECRET: 's',
      COGNITO_ISSUER: issuer,
    });
    expect(loadProviders(oidc('http://127.0.0.1:8080/realms/x')).cognito?.issuer).toBe(
      'http://127.0.0.1:8080/realms/x',
    );
    expect(loadProviders(oidc('http://localhost:8080')).cognito).toBeDefined();
    expect(loadProviders(oidc('https://cognito-idp.eu-west-1.amazonaws.com/pool')).cognito).toBeDefined();
    expect(errorOf(oidc('http://keycloak.example.com/realms/x')).variable).toBe('COGNITO_ISSUER');
    expect(errorOf(oidc('not a url')).variable).toBe('COGNITO_ISSUER');
    expect(errorOf(oidc('ftp://127.0.0.1/x')).variable).toBe('COGNITO_ISSUER');
    expect(
      errorOf({
        FACEBOOK_CLIENT_ID: 'f',
        FACEBOOK_CLIENT_SECRET: 's',
        FACEBOOK_TOKEN_URL: 'http://graph.example.com/t',
      }).variable,
    ).toBe('FACEBOOK_TOKEN_URL');
    expect(isLoopbackHost('127.8.9.10')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });

  it('needs an ES256 (P-256) key for Apple, one-line PEM with \\n accepted', () => {
    const base = { APPLE_CLIENT_ID: 'c', APPLE_TEAM_ID: 't', APPLE_KEY_ID: 'k' };
    const oneLine = ecKey().replace(/\n/g, '\\n');
    expect(loadProviders({ ...base, APPLE_PRIVATE_KEY: oneLine }).apple?.privateKey).toContain('\n');
    expect(errorOf({ ...base, APPLE_PRIVATE_KEY: 'not a key' }).variable).toBe('APPLE_PRIVATE_KEY');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(errorOf({ ...base, APPLE_PRIVATE_KEY: rsa.toString() }).variable).toBe('APPLE_PRIVATE_KEY');
  });

  it('reads the SAML certificate as PEM or bare base64, and defaults the audience to SAML_ISSUER', () => {
    const cert = certificate();
    const base = { SAML_ENTRY_POINT: 'https://idp.example.com/sso', SAML_ISSUER: 'urn:example:sp' };
    const saml = loadProviders({ ...base, SAML_IDP_CERT: cert }).saml!;
    expect(saml.audience).toBe('urn:example:sp');
    expect(saml.idpCerts).toHaveLength(1);
    const bare = cert.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    expect(loadProviders({ ...base, SAML_IDP_CERT: bare, SAML_AUDIENCE: 'aud' }).saml?.audience).toBe('aud');
    expect(loadProviders({ ...base, SAML_IDP_CERT: cert + cert }).saml?.idpCerts).toHaveLength(2);
    expect(errorOf({ ...base, SAML_IDP_CERT: 'garbage' }).variable).toBe('SAML_IDP_CERT');
  });
});
