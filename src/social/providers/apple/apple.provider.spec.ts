import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { PUBLIC_URL, strategyOf } from '../provider.testing.js';
import { apple } from './apple.provider.js';
import { AppleStrategy, parseAppleUser } from './apple.strategy.js';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const APPLE = {
  clientId: 'com.example.web',
  teamId: 'TEAM123456',
  keyId: 'KEY1234567',
  privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  issuer: 'https://appleid.apple.com',
};

describe('Sign in with Apple', () => {
  const strategy = strategyOf(apple, { apple: APPLE }) as AppleStrategy;

  it('starts with form_post, "name email" and a nonce, back to /auth/apple-oauth-redirect', async () => {
    const { url, secrets } = await strategy.begin('the-state');
    expect(Object.fromEntries(new URL(url).searchParams)).toMatchObject({
      response_mode: 'form_post',
      scope: 'name email',
      redirect_uri: `${PUBLIC_URL}/auth/apple-oauth-redirect`,
      nonce: secrets.nonce,
    });
  });

  it('signs the client secret as Apple prescribes (ES256, kid, iss = team, sub = client, aud = issuer)', async () => {
    const jwt = await strategy.clientSecret();
    expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'ES256', kid: APPLE.keyId });
    expect(decodeJwt(jwt)).toMatchObject({ iss: APPLE.teamId, sub: APPLE.clientId, aud: APPLE.issuer });
  });

  it('reads the name from the `user` field of the first login only', () => {
    expect(parseAppleUser('{"name":{"firstName":"Ada","lastName":"Lovelace"}}')).toEqual({
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    expect(parseAppleUser(null)).toEqual({ firstName: null, lastName: null });
    expect(parseAppleUser('not json')).toEqual({ firstName: null, lastName: null });
  });
});
